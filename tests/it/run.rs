//! `gantry run`: order, parallelism, failure handling, selection, processes,
//! environment, secrets, output and records — the real binary on temp repos.

use crate::common;

use std::time::Duration;

use common::{
    action_status, pids, process_running, run_command, wait_for, wait_for_file, write_executable,
    Repo,
};

#[test]
fn stages_and_actions_run_in_listed_order() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: first
    actions:
      - { name: a, run: echo a >> order.txt }
      - { name: b, run: echo b >> order.txt }
  - name: second
    run: echo c >> order.txt
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("order.txt"), "a\nb\nc\n");
}

#[test]
fn equal_run_order_runs_concurrently_lower_first() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: par
    actions:
      - { name: late, run: echo late >> order.txt, run_order: 2 }
      - { name: one, run: ./meet one two && echo one >> order.txt, run_order: 1 }
      - { name: two, run: ./meet two one && echo two >> order.txt, run_order: 1 }
",
    );
    // Each of `one` and `two` waits (at most 30s) for the other to have
    // started: both pass only if they run at the same time.
    write_executable(
        &repo,
        "meet",
        "#!/bin/sh
touch \"$1.started\"
i=0
while [ ! -e \"$2.started\" ]; do
  i=$((i+1)); [ $i -lt 1500 ] || exit 1; sleep 0.02
done
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let order = repo.read("order.txt");
    let (first, last) = order.split_at(order.len() - "late\n".len());
    assert_eq!(last, "late\n", "{order}");
    let mut first: Vec<&str> = first.lines().collect();
    first.sort();
    assert_eq!(first, ["one", "two"], "{order}");
}

#[test]
fn jobs_caps_concurrency() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: par
    actions:
      - { name: one, run: sleep 1, run_order: 1 }
      - { name: two, run: sleep 1, run_order: 1 }
",
    );
    let out = repo.run(&["run", "--jobs", "1"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.elapsed >= Duration::from_secs(2),
        "took {:?}",
        out.elapsed
    );
}

const FAILING: &str = "version: 1
stages:
  - name: build
    run: 'false'
  - name: test
    run: echo test ran > test.txt
  - name: cleanup
    always: true
    run: echo cleaned > cleanup.txt
";

#[test]
fn first_failed_stage_stops_the_pipeline_but_always_runs() {
    let repo = Repo::new(FAILING);
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(!repo.path().join("test.txt").exists());
    assert_eq!(repo.read("cleanup.txt"), "cleaned\n");
    let run = repo.run_json(1);
    assert_eq!(run["status"], "failed");
    assert_eq!(action_status(&run, "build", "build"), "failed");
    assert_eq!(action_status(&run, "test", "test"), "skipped");
    assert_eq!(action_status(&run, "cleanup", "cleanup"), "passed");
    assert!(
        out.stdout
            .contains("[test/test] – skipped: an earlier stage failed"),
        "{}",
        out.stdout
    );
}

#[test]
fn keep_going_runs_later_stages() {
    let repo = Repo::new(FAILING);
    let out = repo.run(&["run", "--keep-going"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(repo.read("test.txt"), "test ran\n");
}

#[test]
fn later_groups_of_a_failed_stage_are_skipped() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: s
    actions:
      - { name: bad, run: exit 4 }
      - { name: after, run: touch after.txt }
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1);
    assert!(!repo.path().join("after.txt").exists());
    let run = repo.run_json(1);
    assert_eq!(run["stages"][0]["actions"][0]["exit_code"], 4);
    assert_eq!(action_status(&run, "s", "after"), "skipped");
}

#[test]
fn continue_on_error_turns_a_failure_into_a_warning() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: lint
    run: exit 1
    continue_on_error: true
  - name: test
    run: touch tested
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(repo.path().join("tested").exists());
    assert_eq!(action_status(&repo.run_json(1), "lint", "lint"), "warning");
}

#[test]
fn retries_rerun_a_failed_action() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: flaky
    retries: 2
    run: echo x >> tries; test $(wc -l < tries) -ge 2
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(repo.read("tries").lines().count(), 2);
    let run = repo.run_json(1);
    assert_eq!(run["stages"][0]["actions"][0]["attempts"], 2);
    assert!(out.stdout.contains("retrying"), "{}", out.stdout);
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: hang
    timeout: 1s
    run: 'sleep 300 & echo $! > pids; sleep 300 & echo $! >> pids; echo $$ >> pids; wait'
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_millis(2500),
        "took {:?}",
        out.elapsed
    );
    assert_eq!(
        action_status(&repo.run_json(1), "hang", "hang"),
        "timed_out"
    );
    assert!(out.stdout.contains("timed out"), "{}", out.stdout);
    let pids = pids(&repo, "pids");
    assert_eq!(pids.len(), 3);
    for pid in pids {
        assert!(!process_running(pid), "process {pid} outlived the timeout");
    }
}

#[test]
fn background_child_holding_output_does_not_hang_the_action() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: bg
    run: 'sleep 300 & echo $! > pids; echo started'
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.elapsed < Duration::from_secs(3),
        "took {:?}",
        out.elapsed
    );
    assert!(
        out.stdout.contains("background processes"),
        "{}",
        out.stdout
    );
    let pids = pids(&repo, "pids");
    assert_eq!(pids.len(), 1, "{pids:?}");
    for pid in pids {
        assert!(
            !process_running(pid),
            "background process {pid} was left running"
        );
    }
    assert!(repo.read(".gantry/runs/1/bg/bg.log").contains("started"));
}

#[test]
fn sigint_stops_everything_and_still_records_the_run() {
    stops_everything_on(libc::SIGINT);
}

#[test]
fn sigterm_stops_everything_and_still_records_the_run() {
    stops_everything_on(libc::SIGTERM);
}

#[test]
fn sigquit_stops_everything_and_still_records_the_run() {
    stops_everything_on(libc::SIGQUIT);
}

fn stops_everything_on(signal: i32) {
    let repo = Repo::new(
        "version: 1
stages:
  - name: long
    run: 'sleep 300 & echo $! > pids; echo $$ >> pids; echo waiting; wait'
  - name: never
    run: touch never
",
    );
    let mut child = repo
        .command(&["run"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Both pids written and the action waiting on its background child.
    let log = ".gantry/runs/1/long/long.log";
    let waiting = wait_for(Duration::from_secs(10), || {
        let ready = repo.path().join("pids").exists()
            && pids(&repo, "pids").len() == 2
            && std::fs::read_to_string(repo.path().join(log)).is_ok_and(|l| l.contains("waiting"));
        ready.then_some(())
    });
    assert!(waiting.is_some(), "the action never started waiting");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, signal) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let run = repo.run_json(1);
    assert_eq!(run["status"], "interrupted");
    assert_eq!(action_status(&run, "long", "long"), "interrupted");
    assert_eq!(action_status(&run, "never", "never"), "skipped");
    assert!(repo
        .read(".gantry/runs/1/long/long.log")
        .contains("waiting"));
    assert!(!repo.path().join("never").exists());
    let pids = pids(&repo, "pids");
    assert_eq!(pids.len(), 2, "{pids:?}");
    for pid in pids {
        assert!(!process_running(pid), "process {pid} outlived Ctrl-C");
    }
}

#[test]
fn secrets_are_masked_in_output_and_logs_even_when_split() {
    let repo = Repo::new(
        "version: 1
secrets: [API_TOKEN]
stages:
  - name: leak
    run: printf 'token=hun'; sleep 0.2; printf 'ter2 again hunter2\\n'
",
    );
    let out = repo
        .command(&["run"])
        .env("API_TOKEN", "hunter2")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(stdout.contains("token=*** again ***"), "{stdout}");
    let log = repo.read(".gantry/runs/1/leak/leak.log");
    assert!(
        !log.contains("hunter2") && log.contains("token=*** again ***"),
        "{log}"
    );
}

#[test]
fn a_missing_secret_is_an_error_before_anything_runs() {
    let repo = Repo::new(
        "version: 1
secrets:
  - DB_PASSWORD
stages:
  - name: s
    run: touch ran
",
    );
    let out = repo
        .command(&["run"])
        .env_remove("DB_PASSWORD")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("secret `DB_PASSWORD` is not set"),
        "{stderr}"
    );
    assert!(stderr.contains("gantry.yml:3:5"), "{stderr}");
    assert!(!repo.path().join("ran").exists());
    assert!(
        !repo.path().join(".gantry/runs").exists(),
        "no run recorded for a config error"
    );
}

#[test]
fn piped_output_is_plain_and_free_of_escape_codes() {
    let repo = Repo::new(FAILING);
    let out = repo.run(&["run"]);
    assert!(!out.all().contains('\x1b'), "{:?}", out.all());
    assert!(out.stdout.contains("[build/build]"), "{}", out.stdout);
    let coloured = repo.run(&["--color", "always", "run"]);
    assert!(
        coloured.stdout.contains('\x1b'),
        "--color always must colour"
    );
    let forced = repo
        .command(&["run"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\x1b'));
    let no_color = repo
        .command(&["--color", "auto", "run"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\x1b'));
}

#[test]
fn summary_table_lists_every_action_with_status_and_log() {
    let repo = Repo::new(FAILING);
    let out = repo.run(&["run"]);
    let table: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("STAGE"))
        .collect();
    assert!(
        table[0].contains("STATUS") && table[0].contains("DURATION") && table[0].contains("LOG")
    );
    assert!(table.iter().any(|l| l.starts_with("build")
        && l.contains("failed")
        && l.contains(".gantry/runs/1/build/build.log")));
    assert!(table
        .iter()
        .any(|l| l.starts_with("test") && l.contains("skipped")));
    assert!(
        table
            .last()
            .unwrap()
            .contains("1 passed, 1 failed, 1 skipped"),
        "{:?}",
        table.last()
    );
}

#[test]
fn output_json_prints_the_summary_on_stdout() {
    let repo = Repo::new(FAILING);
    let out = repo.run(&["run", "--output", "json"]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["status"], "failed");
    assert_eq!(json["totals"]["skipped"], 1);
    assert_eq!(json, repo.run_json(1));
    assert!(
        out.stderr.contains("[build/build]"),
        "progress goes to stderr"
    );
}

#[test]
fn logs_hold_stdout_and_stderr_in_order() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: s
    run: echo one; echo two >&2; echo three
",
    );
    assert_eq!(repo.run(&["run"]).code, 0);
    assert_eq!(repo.read(".gantry/runs/1/s/s.log"), "one\ntwo\nthree\n");
}

#[test]
fn run_ids_increase_and_old_runs_are_pruned() {
    let repo = Repo::new(
        "version: 1
keep_runs: 2
stages:
  - name: s
    run: 'true'
",
    );
    for _ in 0..3 {
        assert_eq!(repo.run(&["run"]).code, 0);
    }
    assert!(!repo.path().join(".gantry/runs/1").exists());
    assert!(repo.path().join(".gantry/runs/3/run.json").exists());
    assert!(repo.path().join(".gantry/runs/2/run.json").exists());
}

#[test]
fn an_absurd_timeout_is_a_located_config_error_not_a_crash() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: a
    timeout: 5124095576030431h
    run: 'echo $$ > pid; sleep 300'
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("C015"), "{}", out.stderr);
    assert!(out.stderr.contains("gantry.yml:4:14"), "{}", out.stderr);
    assert!(out.stderr.contains("maximum of 30 days"), "{}", out.stderr);
    assert!(!out.all().contains("passed"), "{}", out.all());
    assert!(!repo.path().join("pid").exists(), "the action ran");
}

#[test]
fn a_crash_inside_gantry_fails_the_run_records_it_and_stops_its_processes() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: a
    run: ./start.sh
  - name: b
    run: touch b
",
    );
    // A background job in the action's group, one that left it, the shell.
    common::write_exec(
        &repo,
        "start.sh",
        r#"#!/bin/sh
sleep 300 & echo $! > pids
setsid -f sh -c 'echo $$ >> pids; exec sleep 300'
echo $$ >> pids
while [ "$(wc -l < pids)" -lt 3 ]; do sleep 0.01; done
echo ready
wait
"#,
    );
    // Debug builds panic at this fault point when told to.
    let out = run_command({
        let mut command = repo.command(&["run"]);
        command.env("GANTRY_FAULT", "panic-on-output");
        command
    });
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(!out.stdout.contains("pipeline passed"), "{}", out.stdout);
    assert!(out.stdout.contains("gantry crashed"), "{}", out.stdout);
    let run = repo.run_json(1);
    assert_eq!(run["status"], "failed");
    assert_eq!(action_status(&run, "a", "a"), "failed");
    assert_eq!(action_status(&run, "b", "b"), "skipped");
    let pids = pids(&repo, "pids");
    assert_eq!(pids.len(), 3, "{pids:?}");
    for pid in pids {
        assert!(!process_running(pid), "process {pid} outlived the crash");
    }
}

#[test]
fn a_stage_named_like_the_run_record_is_refused_at_load_time() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: ok
    run: echo ok
  - name: run.json
    run: touch ran
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("C006"), "{}", out.stderr);
    assert!(out.stderr.contains("gantry.yml:5:11"), "{}", out.stderr);
    assert!(out.stderr.contains("reserved"), "{}", out.stderr);
    assert!(!repo.path().join("ran").exists());
    assert!(!repo.path().join(".gantry/runs/1").exists());
}

#[test]
fn a_full_disk_is_reported_on_the_action_line_and_in_the_summary() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: big
    run: 'head -c 1000000 /dev/zero; echo; echo end'
",
    );
    let Some(_full) = common::Tmpfs::mount(&repo.path().join(".gantry/runs"), "128k") else {
        return;
    };
    let out = repo.run(&["run"]);
    // The action passed; its log and the record could not be kept, and
    // both are said, with the cause.
    assert_eq!(out.code, 0, "{}", out.all());
    let action_line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("[big/big]") && l.contains("passed"))
        .unwrap_or_else(|| panic!("no result line in {}", out.stdout));
    assert!(
        action_line.contains("log incomplete: No space left on device"),
        "{action_line}"
    );
    let summary = out.stdout.rsplit("STAGE").next().unwrap();
    assert!(
        summary.contains("log incomplete: No space left on device"),
        "{summary}"
    );
    assert!(
        out.stderr.contains("run.json") && out.stderr.contains("No space left on device"),
        "{}",
        out.stderr
    );
}

#[test]
fn processes_that_leave_the_process_group_are_stopped_and_named() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: escape
    run: ./escape.sh
",
    );
    // Two ways out of the action's process group: setsid(1), and a Python
    // double fork with setsid(2). The script waits until both run `sleep`.
    common::write_exec(
        &repo,
        "escape.sh",
        r#"#!/bin/sh
setsid -f sh -c 'echo $$ > a.pid; exec sleep 300'
python3 - <<'PY'
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open("b.pid", "w") as f:
            f.write(str(os.getpid()))
        os.execvp("sleep", ["sleep", "301"])
    os._exit(0)
os.wait()
PY
for f in a.pid b.pid; do
  until [ -s $f ] && grep -q '^sleep' /proc/$(cat $f)/cmdline 2>/dev/null; do sleep 0.01; done
done
echo escaped
"#,
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("stopped 2 processes left running: sleep 300, sleep 301")
            || out
                .stdout
                .contains("stopped 2 processes left running: sleep 301, sleep 300"),
        "{}",
        out.stdout
    );
    let escaped: Vec<i32> = ["a.pid", "b.pid"]
        .iter()
        .flat_map(|f| pids(&repo, f))
        .collect();
    assert_eq!(escaped.len(), 2, "{escaped:?}");
    for pid in escaped {
        assert!(!process_running(pid), "process {pid} outlived its action");
    }
}

#[test]
fn kill_9_of_gantry_takes_the_running_action_with_it() {
    let repo = Repo::new(
        "version: 1
stages:
  - name: long
    run: 'echo $$ > pid.tmp && mv pid.tmp pid; exec sleep 300'
",
    );
    // The pid file appears whole (renamed into place), never empty.
    let mut gantry = repo
        .command(&["run"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for_file(&repo, "pid", Duration::from_secs(10)));
    let action = pids(&repo, "pid");
    assert_eq!(action.len(), 1);
    gantry.kill().unwrap();
    gantry.wait().unwrap();
    assert!(
        wait_for(Duration::from_secs(10), || (!process_running(action[0]))
            .then_some(()))
        .is_some(),
        "the action outlived a kill -9 of gantry"
    );
}

#[test]
fn an_interrupt_between_actions_is_not_a_passed_run() {
    // The first action passes but interrupts gantry; the next never starts.
    let repo = Repo::new(
        "version: 1
stages:
  - name: a
    run: 'trap \"\" TERM INT; kill -INT $PPID; exit 0'
  - name: b
    run: echo b
",
    );
    let out = repo.run(&["run"]);
    assert_eq!(out.code, 130, "{}", out.all());
    assert_eq!(repo.run_json(1)["status"], "interrupted");
    assert!(
        out.stdout.contains("pipeline interrupted"),
        "{}",
        out.stdout
    );
}
