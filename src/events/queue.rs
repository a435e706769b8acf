//! The bounded queue that carries a run's events from the threads that run
//! actions to the thread that reports them.
//!
//! `std::sync::mpsc` spins before a waiting receiver sleeps, and its sender
//! takes a lock to wake the receiver on every message. Between two events
//! of an action the reporter has nothing to do for as long as the action
//! runs, so it spun every time — on a two-core machine taking a core from
//! the action it waits for. Here a receiver with nothing to read sleeps at
//! once, a sender wakes it only when it sleeps, and the receiver takes
//! every queued event under one lock.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The sending half; clone it for every thread that sends.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving half, for one thread.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Events taken from the queue and not yet returned.
    taken: VecDeque<T>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// The receiver waits here for an event, or for the last sender to go.
    readable: Condvar,
    /// Senders wait here while the queue is full.
    writable: Condvar,
    capacity: usize,
}

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    receiver_gone: bool,
    receiver_waiting: bool,
    senders_waiting: usize,
}

/// The event was not sent: the receiver is gone.
#[derive(Debug)]
pub struct Disconnected<T>(pub T);

/// A queue that holds at most `capacity` events (at least one) before a
/// sender waits. The receiver takes all of them at once, so up to twice
/// that many are in memory: those it took and those queued since.
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            senders: 1,
            receiver_gone: false,
            receiver_waiting: false,
            senders_waiting: 0,
        }),
        readable: Condvar::new(),
        writable: Condvar::new(),
        capacity: capacity.max(1),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver {
            shared,
            taken: Default::default(),
        },
    )
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> Sender<T> {
    /// Queues `value`, waiting while the queue is full; fails only when the
    /// receiver is gone.
    pub fn send(&self, value: T) -> Result<(), Disconnected<T>> {
        let shared = &*self.shared;
        let mut state = shared.lock();
        loop {
            if state.receiver_gone {
                return Err(Disconnected(value));
            }
            if state.queue.len() < shared.capacity {
                break;
            }
            state.senders_waiting += 1;
            state = shared
                .writable
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            state.senders_waiting -= 1;
        }
        state.queue.push_back(value);
        let wake = state.receiver_waiting;
        drop(state);
        if wake {
            shared.readable.notify_one();
        }
        Ok(())
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        let wake = state.senders == 0 && state.receiver_waiting;
        drop(state);
        if wake {
            self.shared.readable.notify_one();
        }
    }
}

impl<T> Receiver<T> {
    /// The next event, waiting for one; `None` once every sender is gone
    /// and every event was read.
    pub fn recv(&mut self) -> Option<T> {
        if let Some(value) = self.taken.pop_front() {
            return Some(value);
        }
        let shared = &*self.shared;
        let mut state = shared.lock();
        while state.queue.is_empty() {
            if state.senders == 0 {
                return None;
            }
            state.receiver_waiting = true;
            state = shared
                .readable
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            state.receiver_waiting = false;
        }
        std::mem::swap(&mut self.taken, &mut state.queue);
        let wake = state.senders_waiting > 0;
        drop(state);
        if wake {
            shared.writable.notify_all();
        }
        self.taken.pop_front()
    }

    /// Every event until the last sender is gone.
    pub fn iter(&mut self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(|| self.recv())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.receiver_gone = true;
        state.queue.clear();
        drop(state);
        self.shared.writable.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_arrive_in_order_and_end_with_the_last_sender() {
        let (tx, mut rx) = bounded(2);
        let worker = std::thread::spawn(move || {
            let other = tx.clone();
            for i in 0..1000 {
                let sender = if i % 2 == 0 { &tx } else { &other };
                sender.send(i).unwrap();
            }
        });
        let got: Vec<i32> = rx.iter().collect();
        worker.join().unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn a_full_queue_makes_the_sender_wait_for_the_receiver() {
        let (tx, mut rx) = bounded(1);
        tx.send(1).unwrap();
        let worker = std::thread::spawn(move || tx.send(2).map_err(|_| ()));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while rx.shared.lock().senders_waiting == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the sender never waited"
            );
            std::thread::yield_now();
        }
        assert_eq!(rx.shared.lock().queue.len(), 1);
        assert_eq!(rx.recv(), Some(1));
        assert_eq!(rx.recv(), Some(2));
        assert_eq!(worker.join().unwrap(), Ok(()));
        assert_eq!(rx.recv(), None);
    }

    #[test]
    fn a_sender_waiting_on_a_full_queue_fails_when_the_receiver_goes() {
        let (tx, rx) = bounded(1);
        tx.send(1).unwrap();
        let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            waiting_tx.send(()).unwrap();
            tx.send(2).map_err(|Disconnected(v)| v)
        });
        waiting_rx.recv().unwrap();
        drop(rx);
        assert_eq!(worker.join().unwrap(), Err(2));
    }

    #[test]
    fn sending_after_the_receiver_is_gone_fails() {
        let (tx, rx) = bounded::<u8>(4);
        drop(rx);
        assert!(tx.send(1).is_err());
    }
}
