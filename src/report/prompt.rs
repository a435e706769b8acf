//! Asking the person at the terminal. Called by reporters on the main thread
//! (the live one pauses its bars around it); reads gantry's own stdin, which
//! [`crate::approval::Policy::decide`] checked is a terminal, or — in the pre-push
//! hook, whose stdin is git's pipe — the controlling terminal, `/dev/tty`.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use crate::approval::{Answer, Request, Terminal};
use crate::report::Stream;

/// The controlling terminal's device.
const TTY: &str = "/dev/tty";

/// How often a waiting prompt checks for Ctrl-C and its deadline.
const TICK: Duration = Duration::from_millis(100);

/// Asks `message` for gate `key` on `stream` (or on `/dev/tty`) until a
/// clear answer, the deadline, or cancellation, and sends the answer to the
/// waiting gate.
pub fn ask(key: &str, message: &str, request: &Request, stream: Stream) {
    let answer = match request.terminal() {
        Terminal::Stdin => {
            // Plain output may go to a pipe while stderr is the terminal.
            let stream = match stream {
                Stream::Stdout if !crate::term::stdout_is_tty() => Stream::Stderr,
                other => other,
            };
            let stdin = std::io::stdin();
            converse(
                key,
                message,
                request,
                stdin.as_fd(),
                &mut stdin.lock(),
                &|t| stream.write(t),
            )
        }
        Terminal::Controlling => match open_tty().and_then(|tty| Ok((tty.try_clone()?, tty))) {
            Ok((reader, tty)) => {
                // `&File` writes without needing `mut`.
                let say = |text: &str| {
                    let _ = (&tty).write_all(text.as_bytes());
                };
                let mut reader = BufReader::new(reader);
                converse(key, message, request, tty.as_fd(), &mut reader, &say)
            }
            Err(e) => Answer::Unreadable(format!("cannot open {TTY}: {e}")),
        },
    };
    request.answer(answer);
}

/// Whether this process has a controlling terminal to ask on.
pub fn has_controlling_terminal() -> bool {
    open_tty().is_ok()
}

fn open_tty() -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).open(TTY)
}

/// The question and answer loop, reading lines from `reader` (whose file
/// descriptor is `fd`) and writing with `say`.
fn converse(
    key: &str,
    message: &str,
    request: &Request,
    fd: BorrowedFd<'_>,
    reader: &mut dyn BufRead,
    say: &dyn Fn(&str),
) -> Answer {
    let question = format!("? {key}: {message} [y/N] ");
    let answer = loop {
        say(&question);
        match read_line(request, fd, reader) {
            Ok(line) => match parse(&line) {
                Some(answer) => break answer,
                None => say("  please answer y (approve) or n (reject)\n"),
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
    say(&format!("  {}\n", said.trim_start_matches(' ')));
    answer
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

/// One line from `reader`, waiting in short ticks so the deadline and
/// cancellation are noticed. End of input rejects.
fn read_line(
    request: &Request,
    fd: BorrowedFd<'_>,
    reader: &mut dyn BufRead,
) -> Result<String, Answer> {
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
        let readable = readable(fd, wait).map_err(|e| Answer::Unreadable(e.to_string()))?;
        if readable {
            let mut line = String::new();
            return match reader.read_line(&mut line) {
                Ok(0) => Err(Answer::Rejected),
                Ok(_) => Ok(line),
                Err(e) => Err(Answer::Unreadable(e.to_string())),
            };
        }
    }
}

/// Whether `fd` has input (or hung up) within `wait`. A signal that
/// interrupts the wait is no input; another error is returned rather than
/// retried, so the prompt cannot spin on it.
fn readable(fd: BorrowedFd<'_>, wait: Duration) -> std::io::Result<bool> {
    use rustix::event::{poll, PollFd, PollFlags};
    let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
    let timeout = crate::proc::process::poll_timeout(wait);
    match poll(&mut fds, Some(&timeout)) {
        Ok(_) => Ok(!fds[0].revents().is_empty()),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
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
