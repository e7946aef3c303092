package main

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// progress draws a bar on a terminal while a measurement runs, and stays
// silent when the output goes to a file or a pipe.
type progress struct {
	label string
	total int64
	done  atomic.Int64
	stop  chan struct{}
	ended chan struct{}
}

func isTerminal() bool {
	fi, err := os.Stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func startProgress(label string, total int64) *progress {
	p := &progress{label: label, total: total, stop: make(chan struct{}), ended: make(chan struct{})}
	if !isTerminal() {
		fmt.Println(label)
		close(p.ended)
		return p
	}
	go p.draw()
	return p
}

func (p *progress) draw() {
	defer close(p.ended)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			fmt.Printf("\r%-70s\r%s\n", "", p.label)
			return
		case <-t.C:
			const width = 30
			frac := min(float64(p.done.Load())/float64(p.total), 1)
			bar := strings.Repeat("#", int(frac*width)) + strings.Repeat(".", width-int(frac*width))
			fmt.Printf("\r%-32s [%s] %3.0f%%", p.label, bar, frac*100)
		}
	}
}

func (p *progress) end() {
	select {
	case <-p.ended:
	default:
		close(p.stop)
		<-p.ended
	}
}
