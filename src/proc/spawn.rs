//! Starts a child process the way glibc's `posix_spawn` does — a
//! vfork-style `clone` that shares gantry's memory until `exec` — with what
//! gantry needs on top: a process group of its own, SIGKILL when gantry dies
//! (`PR_SET_PDEATHSIG`), stdio, working directory (Linux).
//!
//! std's `Command` forks instead as soon as code must run in the child
//! (`pre_exec`): a fork copies gantry's page tables, tears them down again
//! at `exec`, and after it every page gantry writes to again is copied on a
//! fault. Here the calling thread is suspended while the child runs on a
//! stack of its own and makes only system calls, on data prepared before
//! the clone, as glibc does (`sysdeps/unix/sysv/linux/spawni.c`): all
//! signals are blocked around the clone; the child resets every handled
//! signal (and SIGPIPE, as std does) to its default, sets up the process,
//! unblocks all signals and `exec`s, searching `PATH` as `execvp` does. An
//! error is left in memory the parent reads once the child has `exec`ed or
//! exited.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void, CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;

use rustix::process::{Pid, WaitOptions};

/// Stack of the child until it `exec`s: it makes only system calls, with a
/// path buffer of `PATH_MAX` bytes (glibc gives its child 32 KiB more than
/// the arguments).
const CHILD_STACK: usize = 64 * 1024;
/// `PATH` search, as glibc's `execvp`: the default `PATH`, and the shell
/// that runs a file the kernel cannot execute (ENOEXEC).
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";
const SHELL: &std::ffi::CStr = c"/bin/sh";
const PATH_MAX: usize = libc::PATH_MAX as usize;
const NAME_MAX: usize = 255;

/// What to start; the environment is gantry's own with `env` set on top.
pub struct Spawn<'a> {
    /// A path, or a name looked up on `PATH` (the child's, when `env` sets it).
    pub program: &'a str,
    pub args: &'a [String],
    pub cwd: &'a Path,
    pub env: Vec<(&'a OsStr, &'a OsStr)>,
    /// The child's stdin, stdout and stderr (gantry's copies stay open).
    pub stdio: [BorrowedFd<'a>; 3],
}

/// A started process: the leader of its own process group.
#[derive(Debug)]
pub struct Child {
    pid: Pid,
    status: Option<ExitStatus>,
}

impl Child {
    /// Its process id, which is also its process group id.
    pub fn id(&self) -> i32 {
        self.pid.as_raw_nonzero().get()
    }

    /// Its exit status if it has ended (reaping it), without waiting.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.reap(WaitOptions::NOHANG)
    }

    /// Waits for it to end and reaps it.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.reap(WaitOptions::empty())? {
                return Ok(status);
            }
        }
    }

    fn reap(&mut self, options: WaitOptions) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        loop {
            match rustix::process::waitpid(Some(self.pid), options) {
                Ok(Some((_, status))) => {
                    let status = ExitStatus::from_raw(status.as_raw());
                    self.status = Some(status);
                    return Ok(Some(status));
                }
                Ok(None) => return Ok(None),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Starts `spec` in a new process group whose leader gets SIGKILL when the
/// calling thread (or gantry) dies. Fails with the error of the step that
/// failed in the child (e.g. ENOENT for a program not found or a missing
/// working directory, EACCES for a file that is not executable).
pub fn spawn(spec: &Spawn<'_>) -> io::Result<Child> {
    let prepared = Prepared::new(spec)?;
    // Descriptors 0–2 would be overwritten by the child's dup2 of another
    // one: move them out of the way first (only when gantry's own stdio was
    // closed).
    let mut moved: Vec<OwnedFd> = Vec::new();
    let mut stdio = [0; 3];
    for (slot, fd) in stdio.iter_mut().zip(spec.stdio) {
        *slot = if fd.as_raw_fd() < 3 {
            let high = rustix::io::fcntl_dupfd_cloexec(fd, 3)?;
            let raw = high.as_raw_fd();
            moved.push(high);
            raw
        } else {
            fd.as_raw_fd()
        };
    }
    let mut argv = pointers(&prepared.argv);
    // The argument vector for `/bin/sh FILE ARGS…` after ENOEXEC; the child
    // fills in FILE.
    let mut script_argv: Vec<*const c_char> = Vec::with_capacity(argv.len() + 1);
    script_argv.push(SHELL.as_ptr());
    script_argv.push(std::ptr::null());
    script_argv.extend_from_slice(&argv[1..]);
    let envp = &prepared.envp;
    let found_before = prepared
        .search
        .as_ref()
        .and_then(|search| found_on_path(&prepared.program, search));
    let mut args = ChildArgs {
        program: prepared.program.as_ptr(),
        program_len: prepared.program.as_bytes().len(),
        search: prepared.search.as_deref(),
        found_before: found_before
            .as_ref()
            .map_or(std::ptr::null(), |p| p.as_ptr()),
        tried: usize::MAX,
        argv: argv.as_mut_ptr(),
        script_argv: script_argv.as_mut_ptr(),
        envp: envp.as_ptr(),
        cwd: prepared.cwd.as_ptr(),
        stdio,
        gantry: rustix::process::getpid().as_raw_nonzero().get(),
        error: 0,
    };
    let pid = STACK.with(|stack| clone_child(stack, &mut args))?;
    // SAFETY: the child wrote `error` (if at all) before it exec'd or
    // exited, and CLONE_VFORK returned only after that; it no longer runs
    // on our memory.
    let error = unsafe { std::ptr::read_volatile(&args.error) };
    let mut child = Child {
        // SAFETY: clone returned a positive pid.
        pid: unsafe { Pid::from_raw_unchecked(pid) },
        status: None,
    };
    if error != 0 {
        let _ = child.wait();
        return Err(io::Error::from_raw_os_error(error));
    }
    // SAFETY: as for `error`.
    let tried = unsafe { std::ptr::read_volatile(&args.tried) };
    // `tried` stays unset when the program ran from where it was found before.
    if let (Some(search), true) = (&prepared.search, tried != usize::MAX) {
        remember_on_path(&prepared.program, search, tried);
    }
    Ok(child)
}

/// Where the shell was found on a `PATH`, by earlier spawns of this gantry:
/// every `run:` action starts `sh` by name, and a `PATH` search execs every
/// entry before the one that holds it.
type FoundOnPath = std::collections::HashMap<(Vec<u8>, Vec<u8>), CString>;

static FOUND_ON_PATH: std::sync::Mutex<Option<FoundOnPath>> = std::sync::Mutex::new(None);

/// Programs whose place on `PATH` is remembered: shells, which no step of
/// a pipeline installs into an earlier `PATH` entry. Any other program
/// (`python`, which a step may put into a virtualenv earlier on `PATH`) is
/// searched for anew each time, exactly as `execvp` does.
const REMEMBERED: [&[u8]; 2] = [b"sh", b"bash"];

/// The full path `program` was found at on `search` before, if it was.
fn found_on_path(program: &CString, search: &[u8]) -> Option<CString> {
    if !REMEMBERED.contains(&program.as_bytes()) {
        return None;
    }
    let found = FOUND_ON_PATH.lock().unwrap_or_else(|e| e.into_inner());
    let key = (program.as_bytes().to_vec(), search.to_vec());
    found.as_ref()?.get(&key).cloned()
}

/// Remembers that `program` was exec'd from entry `tried` of `search`,
/// when it is a shell and that entry and every one before it are absolute
/// folders (an empty or relative entry depends on the working directory).
fn remember_on_path(program: &CString, search: &[u8], tried: usize) {
    if !REMEMBERED.contains(&program.as_bytes()) {
        return;
    }
    let entries: Vec<&[u8]> = search.split(|&b| b == b':').take(tried + 1).collect();
    if entries.len() != tried + 1 || !entries.iter().all(|dir| dir.starts_with(b"/")) {
        return;
    }
    let mut path = entries[tried].to_vec();
    path.push(b'/');
    path.extend_from_slice(program.as_bytes());
    let Ok(path) = CString::new(path) else {
        return;
    };
    let mut found = FOUND_ON_PATH.lock().unwrap_or_else(|e| e.into_inner());
    found
        .get_or_insert_with(Default::default)
        .insert((program.as_bytes().to_vec(), search.to_vec()), path);
}

/// Everything the child needs, as C strings, allocated before the clone.
struct Prepared {
    program: CString,
    /// `PATH` to search, when the program is a name (no `/`).
    search: Option<Vec<u8>>,
    argv: Vec<CString>,
    /// The environment entries of the overrides, which `envp` points into.
    _own_env: Vec<CString>,
    /// `NAME=value` pointers, null-terminated, for execve.
    envp: Vec<*const c_char>,
    cwd: CString,
}

impl Prepared {
    fn new(spec: &Spawn<'_>) -> io::Result<Self> {
        let nul = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "nul byte found in provided data",
            )
        };
        let c = |bytes: &[u8]| CString::new(bytes).map_err(|_| nul());
        // As std's Command: gantry's environment, then the overrides (the
        // last of a name wins).
        let overrides: BTreeMap<&OsStr, &OsStr> = spec.env.iter().copied().collect();
        let base = base_env();
        let search = (!spec.program.contains('/')).then(|| {
            let path = OsStr::new("PATH");
            overrides
                .get(path)
                .copied()
                .or_else(|| {
                    base.iter()
                        .find(|(k, _, _)| k == path)
                        .map(|(_, v, _)| v.as_os_str())
                })
                .map_or_else(|| DEFAULT_PATH.to_vec(), |p| p.as_bytes().to_vec())
        });
        let mut own_env = Vec::with_capacity(overrides.len());
        for (key, value) in &overrides {
            let mut entry = key.as_bytes().to_vec();
            entry.push(b'=');
            entry.extend_from_slice(value.as_bytes());
            own_env.push(CString::new(entry).map_err(|_| nul())?);
        }
        // Pointers into the 'static base and into `own_env`'s heap strings,
        // which stay where they are when the vectors move.
        let mut envp: Vec<*const c_char> = base
            .iter()
            .filter(|(key, _, _)| !overrides.contains_key(key.as_os_str()))
            .map(|(_, _, entry)| entry.as_ptr())
            .chain(own_env.iter().map(|entry| entry.as_ptr()))
            .collect();
        envp.push(std::ptr::null());
        let mut argv = Vec::with_capacity(spec.args.len() + 1);
        argv.push(c(spec.program.as_bytes())?);
        for arg in spec.args {
            argv.push(c(arg.as_bytes())?);
        }
        Ok(Self {
            program: c(spec.program.as_bytes())?,
            search,
            argv,
            _own_env: own_env,
            envp,
            cwd: c(spec.cwd.as_os_str().as_bytes())?,
        })
    }
}

/// gantry's own environment — name, value, and `NAME=value` for execve —
/// read once: gantry never changes its environment (no `set_var`), so
/// every child starts from the same one.
fn base_env() -> &'static [(OsString, OsString, CString)] {
    static BASE: std::sync::OnceLock<Vec<(OsString, OsString, CString)>> =
        std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        std::env::vars_os()
            .filter_map(|(key, value)| {
                let mut entry = key.as_bytes().to_vec();
                entry.push(b'=');
                entry.extend_from_slice(value.as_bytes());
                Some((key, value, CString::new(entry).ok()?))
            })
            .collect()
    })
}

/// A null-terminated array of pointers into `strings`.
fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// What the child reads (and `error`, which it writes), in the parent's memory.
#[repr(C)]
struct ChildArgs<'a> {
    program: *const c_char,
    program_len: usize,
    search: Option<&'a [u8]>,
    /// Where an earlier spawn found the program on the same `PATH` (null:
    /// nowhere yet): tried first, the search follows if it fails.
    found_before: *const c_char,
    /// The `PATH` entry the child tried last (written by the child): after
    /// a successful exec, the one that holds the program.
    tried: usize,
    argv: *mut *const c_char,
    script_argv: *mut *const c_char,
    envp: *const *const c_char,
    cwd: *const c_char,
    stdio: [c_int; 3],
    gantry: libc::pid_t,
    error: c_int,
}

/// A stack for [`child`], one per thread and reused: the thread that
/// clones is suspended until the child no longer uses it.
struct Stack {
    base: *mut c_void,
    len: usize,
}

impl Stack {
    fn new() -> io::Result<Self> {
        // SAFETY: sysconf only reads.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
        let len = CHILD_STACK + page;
        // SAFETY: a new private anonymous mapping; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = Self { base, len };
        // A guard page below it: an overflow faults instead of writing over
        // gantry's memory. SAFETY: the lowest page of our own mapping.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// The stack's top, where it starts (it grows down), 16-byte aligned.
    fn top(&self) -> *mut c_void {
        // SAFETY: one past the end of our mapping, as clone(2) wants it.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: our own mapping, no longer used by any child (see `STACK`).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

thread_local! {
    static STACK: std::cell::RefCell<Option<Stack>> = const { std::cell::RefCell::new(None) };
}

/// Clones the child onto this thread's stack; returns its pid once it has
/// `exec`ed or exited.
fn clone_child(
    stack: &std::cell::RefCell<Option<Stack>>,
    args: &mut ChildArgs<'_>,
) -> io::Result<libc::pid_t> {
    let mut stack = stack.borrow_mut();
    if stack.is_none() {
        *stack = Some(Stack::new()?);
    }
    let top = stack.as_ref().map_or(std::ptr::null_mut(), Stack::top);
    // SAFETY: sigset_t is plain data; sigfillset/pthread_sigmask only write
    // to the sets we pass.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        // No signal handler may run in the child, which shares our memory:
        // blocked here, the child resets them before it unblocks.
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        // SAFETY: CLONE_VM|CLONE_VFORK suspends this thread until the child
        // execs or exits, so `args` and the stack outlive its use of them;
        // `child` runs only async-signal-safe system calls and writes only
        // `args.error`, `args.tried`, its own stack, the ENOEXEC slot of
        // `script_argv` and errno — this thread's, whose thread-local
        // storage it shares (no CLONE_SETTLS): read below only when the
        // clone itself failed.
        let pid = libc::clone(
            child,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (args as *mut ChildArgs<'_>).cast(),
        );
        let error = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        if pid < 0 {
            return Err(error);
        }
        Ok(pid)
    }
}

/// The child, between clone and exec: system calls only, no allocation, no
/// panic, no lock. On failure it leaves the error number in `args.error`
/// and exits with 127.
extern "C" fn child(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the `ChildArgs` that `clone_child` passed, alive
    // while the parent thread is suspended.
    let args = unsafe { &mut *arg.cast::<ChildArgs<'_>>() };
    let error = unsafe { set_up(args) };
    // SAFETY: a plain write to memory the parent reads once we are gone.
    unsafe {
        std::ptr::write_volatile(
            &mut args.error,
            if error == 0 { libc::ENOEXEC } else { error },
        );
        libc::_exit(127)
    }
}

/// Sets up the process and execs; returns the error number if it cannot.
///
/// # Safety
/// Only in the child of [`clone_child`], with all signals blocked.
unsafe fn set_up(args: &mut ChildArgs<'_>) -> c_int {
    let errno = || {
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL)
    };
    // Signal handlers are gantry's and would run on shared memory: default
    // them. SIGPIPE, which Rust ignores, too, as std does for its children.
    let mut action: libc::sigaction = std::mem::zeroed();
    for signal in 1..libc::SIGRTMAX() + 1 {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP {
            continue;
        }
        if libc::sigaction(signal, std::ptr::null(), &mut action) != 0 {
            continue; // the C library's own signals
        }
        let default = action.sa_sigaction == libc::SIG_DFL;
        let ignored = action.sa_sigaction == libc::SIG_IGN && signal != libc::SIGPIPE;
        if default || ignored {
            continue;
        }
        action.sa_sigaction = libc::SIG_DFL;
        action.sa_flags = 0;
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
    for (target, &fd) in args.stdio.iter().enumerate() {
        // Every source is ≥ 3, so dup2 makes a new descriptor without
        // FD_CLOEXEC.
        if libc::dup2(fd, target as c_int) < 0 {
            return errno();
        }
    }
    if libc::chdir(args.cwd) != 0 {
        return errno();
    }
    if libc::setpgid(0, 0) != 0 {
        return errno();
    }
    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
        return errno();
    }
    // gantry died before the prctl: do not run unsupervised.
    if libc::getppid() != args.gantry {
        return libc::ESRCH;
    }
    let mut empty: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut empty);
    libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
    exec(args)
}

/// `execvp`: the program itself when it names a path, else each `PATH`
/// entry in turn (glibc's `execvpe`, ENOEXEC included: such a file is run
/// by `/bin/sh`). Returns the error number when none could be executed.
///
/// # Safety
/// As for [`set_up`].
unsafe fn exec(args: &mut ChildArgs<'_>) -> c_int {
    let errno = || {
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL)
    };
    let Some(search) = args.search else {
        libc::execve(args.program, args.argv.cast_const(), args.envp);
        let mut error = errno();
        if error == libc::ENOEXEC {
            error = exec_script(args, args.program);
        }
        return error;
    };
    if args.program_len == 0 {
        return libc::ENOENT;
    }
    if args.program_len > NAME_MAX {
        return libc::ENAMETOOLONG;
    }
    if !args.found_before.is_null() {
        libc::execve(args.found_before, args.argv.cast_const(), args.envp);
        if errno() == libc::ENOEXEC {
            exec_script(args, args.found_before);
        }
        // Gone or changed since: search as if it had never been found.
    }
    let mut buffer = [0u8; PATH_MAX + NAME_MAX + 2];
    let mut got_eacces = false;
    for (index, dir) in search.split(|&b| b == b':').enumerate() {
        if dir.len() >= PATH_MAX {
            continue;
        }
        // dir + "/" + program + NUL (an empty entry: the working directory).
        let mut len = 0;
        buffer[..dir.len()].copy_from_slice(dir);
        len += dir.len();
        if !dir.is_empty() {
            buffer[len] = b'/';
            len += 1;
        }
        let program = std::slice::from_raw_parts(args.program.cast::<u8>(), args.program_len);
        buffer[len..len + program.len()].copy_from_slice(program);
        len += program.len();
        buffer[len] = 0;
        let path = buffer.as_ptr().cast::<c_char>();
        std::ptr::write_volatile(&mut args.tried, index);
        libc::execve(path, args.argv.cast_const(), args.envp);
        let mut error = errno();
        if error == libc::ENOEXEC {
            error = exec_script(args, path);
        }
        match error {
            libc::EACCES => got_eacces = true,
            libc::ENOENT | libc::ESTALE | libc::ENOTDIR | libc::ENODEV | libc::ETIMEDOUT => {}
            other => return other,
        }
    }
    if got_eacces {
        libc::EACCES
    } else {
        libc::ENOENT
    }
}

/// Runs `file`, which the kernel could not execute, with `/bin/sh`.
///
/// # Safety
/// As for [`set_up`]; `file` is NUL-terminated.
unsafe fn exec_script(args: &mut ChildArgs<'_>, file: *const c_char) -> c_int {
    *args.script_argv.add(1) = file;
    libc::execve(SHELL.as_ptr(), args.script_argv.cast_const(), args.envp);
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;

    /// Writes the executable `dir/name` holding `text`; its path.
    fn executable(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// Runs `program args` in `cwd` with `env` on top; its exit status and
    /// output, or the error of the spawn.
    fn run(
        program: &str,
        args: &[&str],
        cwd: &Path,
        env: &[(&str, &str)],
    ) -> io::Result<(ExitStatus, String)> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (mut reader, writer) = io::pipe()?;
        let null = std::fs::File::open("/dev/null")?;
        let child = spawn(&Spawn {
            program,
            args: &args,
            cwd,
            env: env
                .iter()
                .map(|(k, v)| (OsStr::new(k), OsStr::new(v)))
                .collect(),
            stdio: [null.as_fd(), writer.as_fd(), writer.as_fd()],
        });
        drop(writer);
        let mut child = child?;
        let mut output = String::new();
        reader.read_to_string(&mut output)?;
        Ok((child.wait()?, output))
    }

    use std::os::fd::AsFd;

    fn errno(result: io::Result<(ExitStatus, String)>) -> Option<i32> {
        match result {
            Err(e) => e.raw_os_error().or(Some(-1)),
            Ok((status, output)) => panic!("started: {status:?} {output}"),
        }
    }

    #[test]
    fn runs_a_program_from_path_with_arguments_environment_and_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (status, output) = run(
            "sh",
            &[
                "-c",
                "echo \"$1 $GANTRY_SPAWN_TEST $(pwd -P)\"; exit 3",
                "sh",
                "one",
            ],
            dir.path(),
            &[("GANTRY_SPAWN_TEST", "two")],
        )
        .unwrap();
        assert_eq!(status.code(), Some(3));
        let cwd = dir.path().canonicalize().unwrap();
        assert_eq!(output, format!("one two {}\n", cwd.display()));
    }

    #[test]
    fn the_child_leads_its_own_process_group_and_is_gantrys() {
        let (_, output) = run(
            "sh",
            &["-c", "echo $$ $(ps -o pgid= -p $$)"],
            Path::new("/"),
            &[],
        )
        .unwrap();
        let ids: Vec<&str> = output.split_whitespace().collect();
        assert_eq!(ids.len(), 2, "{output}");
        assert_eq!(ids[0], ids[1], "{output}");
    }

    #[test]
    fn signals_start_at_their_defaults_and_unblocked() {
        // The test harness, like every Rust program, ignores SIGPIPE.
        let (_, output) = run("grep", &["^Sig", "/proc/self/status"], Path::new("/"), &[]).unwrap();
        let field = |name: &str| {
            let line = output.lines().find(|l| l.starts_with(name)).unwrap();
            u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
        };
        assert_eq!(field("SigBlk:"), 0, "{output}");
        assert_eq!(field("SigIgn:") & (1 << (libc::SIGPIPE - 1)), 0, "{output}");
    }

    #[test]
    fn a_missing_program_fails_to_start_with_enoent() {
        let result = run("gantry-no-such-program", &[], Path::new("/"), &[]);
        assert_eq!(errno(result), Some(libc::ENOENT));
        let result = run("/nonexistent/gantry-prog", &[], Path::new("/"), &[]);
        assert_eq!(errno(result), Some(libc::ENOENT));
    }

    #[test]
    fn a_file_that_is_not_executable_fails_with_eacces() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool");
        std::fs::write(&file, "#!/bin/sh\necho hi\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let result = run(file.to_str().unwrap(), &[], Path::new("/"), &[]);
        assert_eq!(errno(result), Some(libc::EACCES));
        // Found on PATH but not executable: EACCES, not "not found".
        let path = dir.path().to_str().unwrap();
        let result = run("tool", &[], Path::new("/"), &[("PATH", path)]);
        assert_eq!(errno(result), Some(libc::EACCES));
    }

    #[test]
    fn a_missing_working_directory_fails_to_start() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let result = run("true", &[], &gone, &[]);
        assert_eq!(errno(result), Some(libc::ENOENT));
    }

    #[test]
    fn path_is_searched_in_order_and_the_childs_own_path_counts() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a"), dir.path().join("b"));
        for (d, word) in [(&first, "first"), (&second, "second")] {
            std::fs::create_dir(d).unwrap();
            executable(d, "tool", &format!("#!/bin/sh\necho {word}\n"));
        }
        let path = format!("/nonexistent::{}:{}", second.display(), first.display());
        let (_, output) = run("tool", &[], Path::new("/"), &[("PATH", &path)]).unwrap();
        assert_eq!(output, "second\n");
    }

    #[test]
    fn where_the_shell_was_found_is_tried_first_and_searched_again_when_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&first).unwrap();
        std::fs::create_dir(&second).unwrap();
        // A stand-in `sh` (the real one runs it): PATH holds only these two.
        let shell =
            |d: &Path, word: &str| executable(d, "sh", &format!("#!/bin/sh\necho {word}\n"));
        let path = format!("{}:{}", first.display(), second.display());
        let env = [("PATH", path.as_str())];
        let in_second = shell(&second, "second");
        let (_, output) = run("sh", &[], Path::new("/"), &env).unwrap();
        assert_eq!(output, "second\n");
        let (_, output) = run("sh", &[], Path::new("/"), &env).unwrap();
        assert_eq!(output, "second\n", "from where it was found");
        std::fs::remove_file(in_second).unwrap();
        shell(&first, "first");
        let (_, output) = run("sh", &[], Path::new("/"), &env).unwrap();
        assert_eq!(output, "first\n", "searched again once it was gone");
    }

    #[test]
    fn any_other_program_is_searched_for_in_path_order_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&first).unwrap();
        std::fs::create_dir(&second).unwrap();
        let tool = |d: &Path, word: &str| {
            executable(
                d,
                "gantry-spawn-order-tool",
                &format!("#!/bin/sh\necho {word}\n"),
            )
        };
        let path = format!("{}:{}", first.display(), second.display());
        let env = [("PATH", path.as_str())];
        tool(&second, "second");
        let (_, output) = run("gantry-spawn-order-tool", &[], Path::new("/"), &env).unwrap();
        assert_eq!(output, "second\n");
        // As a virtualenv created by an earlier step: now earlier on PATH.
        tool(&first, "first");
        let (_, output) = run("gantry-spawn-order-tool", &[], Path::new("/"), &env).unwrap();
        assert_eq!(output, "first\n");
    }

    #[test]
    fn a_file_without_interpreter_line_runs_under_sh_as_execvp_does() {
        let dir = tempfile::tempdir().unwrap();
        let script = executable(dir.path(), "script", "echo \"script $1\"\n");
        let (status, output) =
            run(script.to_str().unwrap(), &["arg"], Path::new("/"), &[]).unwrap();
        assert!(status.success());
        assert_eq!(output, "script arg\n");
    }

    #[test]
    fn a_nul_byte_is_refused_before_anything_starts() {
        let result = run("sh", &["-c", "a\0b"], Path::new("/"), &[]);
        assert_eq!(errno(result), Some(-1));
    }
}
