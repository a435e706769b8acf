//! Asking the person at the terminal. Called by reporters on the main thread
//! (the live one pauses its bars around it); reads gantry's own stdin, which
//! [`super::Policy::decide`] checked is a terminal.

use std::io::BufRead;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::{Answer, Request};
use crate::report::Stream;

/// How often a waiting prompt checks for Ctrl-C and its deadline.
const TICK: Duration = Duration::from_millis(100);

/// Asks `message` for gate `key` on `stream` until a clear answer, the
/// deadline, or cancellation, and sends the answer to the waiting gate.
pub fn ask(key: &str, message: &str, request: &Request, stream: Stream) {
    // Plain output may go to a pipe while stderr is the terminal.
    let stream = match stream {
        Stream::Stdout if !crate::term::stdout_is_tty() => Stream::Stderr,
        other => other,
    };
    let question = format!("? {key}: {message} [y/N] ");
    let answer = loop {
        stream.write(&question);
        match read_line(request) {
            Ok(line) => match parse(&line) {
                Some(answer) => break answer,
                None => stream.write("  please answer y (approve) or n (reject)\n"),
            },
            Err(answer) => break answer,
        }
    };
    let said = match &answer {
        Answer::Approved => "approved".to_string(),
        Answer::Rejected => "rejected".to_string(),
        Answer::TimedOut => "\n  no answer in time".to_string(),
        Answer::Cancelled => "\n  interrupted".to_string(),
        Answer::Unreadable(why) => format!("\n  cannot read the answer: {why}"),
    };
    stream.write(&format!("  {}\n", said.trim_start_matches(' ')));
    request.answer(answer);
}

/// `y`/`yes` approves, `n`/`no`/empty rejects; anything else asks again.
/// `None` for a line that is neither.
pub fn parse(line: &str) -> Option<Answer> {
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Some(Answer::Approved),
        "" | "n" | "no" => Some(Answer::Rejected),
        _ => None,
    }
}

/// One line from stdin, waiting in short ticks so the deadline and
/// cancellation are noticed. End of input rejects.
fn read_line(request: &Request) -> Result<String, Answer> {
    let stdin = std::io::stdin();
    loop {
        if request.cancelled() {
            return Err(Answer::Cancelled);
        }
        let mut wait = TICK;
        if let Some(deadline) = request.deadline() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Answer::TimedOut);
            }
            wait = wait.min(left);
        }
        if readable(stdin.as_raw_fd(), wait) {
            let mut line = String::new();
            return match stdin.lock().read_line(&mut line) {
                Ok(0) => Err(Answer::Rejected),
                Ok(_) => Ok(line),
                Err(e) => Err(Answer::Unreadable(e.to_string())),
            };
        }
    }
}

fn readable(fd: i32, wait: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = wait.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd struct, length 1.
    let n = unsafe { libc::poll(&mut pfd, 1, millis) };
    n > 0 && pfd.revents != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_y_or_n_and_empty_rejects() {
        assert_eq!(parse("y\n"), Some(Answer::Approved));
        assert_eq!(parse(" YES "), Some(Answer::Approved));
        assert_eq!(parse("\n"), Some(Answer::Rejected));
        assert_eq!(parse("no"), Some(Answer::Rejected));
        assert_eq!(parse("maybe"), None);
    }
}
