package natq_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The test binary doubles as a worker process that tests can kill.
	if url := os.Getenv(helperWorkerEnv); url != "" {
		os.Exit(runHelperWorker(url))
	}
	goleak.VerifyTestMain(m)
}
