package codec

// Status codes of the protocol. They follow HTTP: any code below 300 is
// success, 4xx is the caller's fault and final, 5xx may succeed on retry.
const (
	// StatusProcessing marks an async run that has started and has no final
	// result yet.
	StatusProcessing = 100
	// StatusOK is success.
	StatusOK = 200
	// StatusBadRequest means the input was understood but is not
	// acceptable: it failed validation, or the handler refused it.
	StatusBadRequest = 400
	// StatusNotAcceptable means the input is not valid JSON.
	StatusNotAcceptable = 406
	// StatusInternal means the handler failed or panicked.
	StatusInternal = 500
)

// Messages the protocol fixes word for word.
const (
	// MsgInvalidJSON is the error of a 406.
	MsgInvalidJSON = "Invalid JSON input"
	// UnhandledPrefix opens the error of a handler failure that carried no
	// status of its own.
	UnhandledPrefix = "Unhandled exception: "
)

// IsSuccess reports whether status is a success: below 300 and not
// [StatusProcessing].
func IsSuccess(status int) bool {
	return status >= 200 && status < 300
}

// IsFinal reports whether status ends a run: anything but
// [StatusProcessing].
func IsFinal(status int) bool {
	return status != StatusProcessing
}

// IsRetryable reports whether a run that ended with status may succeed if
// it is tried again (5xx).
func IsRetryable(status int) bool {
	return status >= 500
}
