package bench

import (
	"fmt"
	"strings"
	"time"
)

// progress shows how far a measurement is. On a terminal it draws a live
// bar, erased when the measurement ends; the label is printed to the
// output then. Without one, it prints the label to the output as the
// measurement starts, so that no escape codes reach a file or a pipe.
type progress struct {
	r     *runner
	label string
	// frac tells how far the measurement is, from 0 to 1.
	frac  func() float64
	stop  chan struct{}
	ended chan struct{}
}

// startProgress starts showing the progress of the measurement label.
// Call end when the measurement ends.
func (r *runner) startProgress(label string, frac func() float64) *progress {
	p := &progress{
		r: r, label: label, frac: frac,
		stop: make(chan struct{}), ended: make(chan struct{}),
	}
	if r.cfg.Progress == nil {
		r.out.printf("%s\n", label)
		close(p.ended)
		return p
	}
	go p.draw()
	return p
}

func (p *progress) draw() {
	defer close(p.ended)
	term := p.r.cfg.Progress
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			_, _ = fmt.Fprintf(term, "\r%-70s\r", "") // a display only: nothing to do on failure
			return
		case <-t.C:
			const width = 30
			frac := min(max(p.frac(), 0), 1)
			full := int(frac * width)
			bar := strings.Repeat("#", full) + strings.Repeat(".", width-full)
			_, _ = fmt.Fprintf(term, "\r%-32s [%s] %3.0f%%", p.label, bar, frac*100)
		}
	}
}

// end erases the bar, if there is one, and prints the label in its place.
// Calls after the first do nothing.
func (p *progress) end() {
	select {
	case <-p.stop:
	case <-p.ended: // no bar: the label is printed already
	default:
		close(p.stop)
		<-p.ended
		p.r.out.printf("%s\n", p.label)
	}
}
