package natq

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// Timings of the sync engine's pool.
const (
	// lookEvery is how often the watcher looks at a saturated pool. A
	// lane in the same run at two looks, with requests waiting, is stuck.
	lookEvery = time.Millisecond
	// laneIdle is how long an extra lane waits for a request before it
	// ends.
	laneIdle = 100 * time.Millisecond
)

// pool serves the requests of a sync task on as few goroutines (lanes) as
// keep it moving, up to the task's concurrency. It starts with one lane
// per processor, which serve requests one after the other as fast
// handlers want: 64 lanes would only contend for the connection's lock
// and the scheduler, and cost a third of the throughput. While requests
// wait, a watcher counts the lanes stuck in one run (blocked on I/O, say)
// and keeps one extra lane per stuck lane; an extra lane ends after a run
// when there are more extras than stuck lanes, or when idle. A stuck run
// delays the requests behind it by a millisecond or two.
type pool struct {
	queue chan *nats.Msg
	serve func(*nats.Msg)
	base  int // lanes that never end
	max   int
	done  chan struct{} // closed when the pool must end
	runs  sync.WaitGroup
	wake  chan struct{} // a lane saw the pool saturated

	busy  atomic.Int32 // lanes in a run
	count atomic.Int32 // lanes
	want  atomic.Int32 // lanes wanted: base plus the stuck ones

	mu      sync.Mutex
	lanes   map[*lane]struct{}
	stopped bool // no lane may start: stop waits for them
}

// lane is one goroutine of the pool.
type lane struct {
	started atomic.Uint64 // runs started
	busy    atomic.Bool
}

func newPool(queue chan *nats.Msg, concurrency int, serve func(*nats.Msg)) *pool {
	base := min(concurrency, runtime.GOMAXPROCS(0))
	p := &pool{
		queue: queue,
		serve: serve,
		base:  base,
		max:   concurrency,
		done:  make(chan struct{}),
		wake:  make(chan struct{}, 1),
		lanes: map[*lane]struct{}{},
	}
	p.want.Store(int32(base))
	return p
}

// start starts the first lanes and the watcher.
func (p *pool) start() {
	p.mu.Lock()
	p.add(p.base, false)
	p.mu.Unlock()
	if p.base < p.max {
		go p.watch()
	}
}

// add starts n lanes. The caller holds p.mu.
func (p *pool) add(n int, extra bool) {
	for range n {
		l := &lane{}
		p.lanes[l] = struct{}{}
		p.count.Add(1)
		p.runs.Go(func() { p.work(l, extra) })
	}
}

// work serves requests until the pool stops, then the ones still in the
// queue: a drained subscription leaves them there.
func (p *pool) work(l *lane, extra bool) {
	var idle <-chan time.Time // never ready for a base lane
	if extra {
		idle = time.After(laneIdle)
	}
	for {
		select {
		case m := <-p.queue:
			p.run(l, m)
			if extra {
				if p.leave(l) {
					return
				}
				idle = time.After(laneIdle)
			}
		case <-idle:
			p.remove(l)
			return
		case <-p.done:
			for {
				select {
				case m := <-p.queue:
					p.run(l, m)
				default:
					return
				}
			}
		}
	}
}

func (p *pool) run(l *lane, m *nats.Msg) {
	l.started.Add(1)
	l.busy.Store(true)
	if p.busy.Add(1) >= p.count.Load() || len(p.queue) > 0 {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	p.serve(m)
	p.busy.Add(-1)
	l.busy.Store(false)
}

// leave ends an extra lane that is no longer wanted.
func (p *pool) leave(l *lane) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if int32(len(p.lanes)) <= p.want.Load() {
		return false
	}
	p.drop(l)
	return true
}

func (p *pool) remove(l *lane) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drop(l)
}

// drop forgets a lane. The caller holds p.mu.
func (p *pool) drop(l *lane) {
	delete(p.lanes, l)
	p.count.Add(-1)
}

// saturated reports whether every lane is in a run or requests wait.
func (p *pool) saturated() bool {
	return len(p.queue) > 0 || p.busy.Load() >= p.count.Load()
}

// watch keeps an extra lane per stuck lane while the pool is saturated,
// looking every lookEvery, and sleeps otherwise.
func (p *pool) watch() {
	tick := time.NewTicker(lookEvery)
	defer tick.Stop()
	seen := map[*lane]uint64{}
	for {
		select {
		case <-p.wake:
		case <-p.done:
			return
		}
		clear(seen)
		for p.saturated() {
			p.look(seen)
			select {
			case <-tick.C:
			case <-p.done:
				return
			}
		}
		p.want.Store(int32(p.base))
	}
}

// look counts the lanes in the same run as at the last look, sets the
// lanes wanted, and starts the missing ones while requests wait.
func (p *pool) look(seen map[*lane]uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	stuck := 0
	for l := range p.lanes {
		started := l.started.Load()
		if last, ok := seen[l]; ok && last == started && l.busy.Load() {
			stuck++
		}
		seen[l] = started
	}
	for l := range seen {
		if _, ok := p.lanes[l]; !ok {
			delete(seen, l) // an extra lane that ended
		}
	}
	want := min(p.base+stuck, p.max)
	p.want.Store(int32(want))
	if len(p.queue) > 0 && !p.stopped {
		p.add(min(want-len(p.lanes), len(p.queue)), true)
	}
}

// stop ends the pool once the queue is empty. Wait on p.runs for it.
func (p *pool) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	close(p.done)
}
