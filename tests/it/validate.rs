//! `gantry validate` end to end: the real binary on files written into temp
//! directories, the AWS corpus read in place, and a property test of the
//! parser and validator.

mod cases;
use crate::common;
use common::Gantry;
mod corpus;
mod oracle;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

/// One finding of `--format json`.
#[derive(Debug, serde::Deserialize)]
struct Finding {
    severity: String,
    code: String,
    file: PathBuf,
    line: usize,
    message: String,
    hint: Option<String>,
}

/// What a run printed and returned.
struct Run {
    code: i32,
    findings: Vec<Finding>,
    stdout: String,
}

impl Run {
    fn errors(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == "error")
            .collect()
    }

    /// (code, line) of every finding.
    fn found(&self) -> Vec<(&str, usize)> {
        self.findings
            .iter()
            .map(|f| (f.code.as_str(), f.line))
            .collect()
    }

    fn codes(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.code.as_str()).collect()
    }
}

/// The shared material (`corpus/`, `oracle/`): `$GANTRY_SHARED_DIR`, else
/// `../shared` beside the clone, where CI puts it.
fn shared_dir() -> PathBuf {
    std::env::var_os("GANTRY_SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    )
}

/// Runs `gantry validate ARGS` in `dir`; with `--format json` its
/// findings are parsed.
fn validate(dir: &Path, args: &[&str]) -> Run {
    let out = Gantry::in_dir(dir)
        .args(["--color=never", "validate"])
        .args(args)
        .run();
    let findings = if args.contains(&"json") {
        out.json_lines()
    } else {
        Vec::new()
    };
    Run {
        code: out.code,
        findings,
        stdout: out.stdout,
    }
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(&path, content).expect("write");
    path
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Writes every case as its own file, validates them all in one run, and
/// checks each file's findings: only the expected code, one at the line.
fn check_cases(table: &[cases::Case], severity: &str, exit: &[i32]) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let names: Vec<String> = (0..table.len())
        .map(|i| format!("case{i:02}.yml"))
        .collect();
    for ((_, content, _, _), name) in table.iter().zip(&names) {
        write(tmp.path(), name, content);
    }
    let mut args: Vec<&str> = vec!["--file-only", "--format", "json"];
    args.extend(names.iter().map(String::as_str));
    let run = validate(tmp.path(), &args);
    assert!(exit.contains(&run.code), "exit code {}", run.code);
    for ((what, _, code, line), name) in table.iter().zip(&names) {
        let mine: Vec<&Finding> = run
            .findings
            .iter()
            .filter(|f| f.file.ends_with(name))
            .collect();
        let summary: Vec<String> = mine
            .iter()
            .map(|f| format!("{}@{} {}", f.code, f.line, f.message))
            .collect();
        assert!(
            mine.iter()
                .all(|f| f.code == *code && f.severity == severity),
            "{what}: expected only {code}, got {summary:?}"
        );
        assert!(
            mine.iter().any(|f| f.line == *line),
            "{what}: expected {code} at line {line}, got {summary:?}"
        );
    }
}

#[test]
fn every_invalid_case_reports_its_code_at_its_line() {
    assert!(cases::INVALID.len() >= 40);
    check_cases(cases::INVALID, "error", &[1, 2]);
}

#[test]
fn warnings_alone_exit_zero() {
    check_cases(cases::WARNINGS, "warning", &[0]);
}

#[test]
fn misspelt_event_suggests_the_right_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "appspec.yml",
        "version: 0.0\nos: linux\nhooks:\n  BeforInstall:\n    - location: a.sh\n",
    );
    let run = validate(tmp.path(), &["appspec.yml"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("error[E041]: hook \"BeforInstall\" is not a lifecycle event — did you mean \"BeforeInstall\"?"), "{}", run.stdout);
    assert!(run.stdout.contains("appspec.yml:4:3"), "{}", run.stdout);
}

#[test]
fn unquoted_octal_mode_explains_the_yaml_reading() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "appspec.yml",
        "version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: 0755\n",
    );
    let run = validate(tmp.path(), &["--format", "json", "appspec.yml"]);
    let e = &run.errors()[0];
    assert_eq!((e.code.as_str(), e.line), ("E034", 5));
    assert!(e.message.contains("493"), "{}", e.message);
    assert!(e.hint.as_deref().unwrap_or("").contains("\"0755\""));
}

#[test]
fn quoted_and_short_modes_are_valid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: \"0644\"\n  - object: /opt\n    mode: 755\n    acls: [\"u:deploy:rwx\", \"d:g:web:r-x\"]\n    context: {name: system_u, type: httpd_sys_content_t, range: s0-s0:c0.c1023}\n    type: [file, directory]\n");
    let run = validate(tmp.path(), &["--format", "json", "appspec.yml"]);
    assert_eq!(run.code, 0, "{:?}", run.codes());
}

#[test]
fn acl_entries_the_agent_accepts_are_valid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", "version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls: [\"d:o:3\", \"d:u:bob:7\", \"d:m:7\", \"m:7\", \"mask::rw\", \"mask:r-x\", \"u:deploy:rwx\"]\n");
    let run = validate(tmp.path(), &["--format", "json", "appspec.yml"]);
    assert_eq!((run.code, run.codes()), (0, vec![]), "{}", run.stdout);
}

#[test]
fn truncated_timeout_names_the_value_the_agent_uses() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 1e3\n");
    let run = validate(
        tmp.path(),
        &["--file-only", "--format", "json", "appspec.yml"],
    );
    assert_eq!((run.code, run.codes()), (0, vec!["W007"]));
    assert_eq!(
        run.findings[0].message,
        "timeout 1e3 is read by the agent as 1 second"
    );
    assert!(run.findings[0]
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("timeout: 1"));
}

#[test]
fn unquoted_date_suggests_quoting() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "appspec.yml",
        "version: 0.0\nos: linux\nfiles:\n  - source: 2024-01-01\n    destination: /srv\n",
    );
    let run = validate(
        tmp.path(),
        &["--file-only", "--format", "json", "appspec.yml"],
    );
    assert_eq!((run.code, run.codes()), (1, vec!["E008"]));
    assert!(
        run.findings[0].message.contains("date"),
        "{}",
        run.findings[0].message
    );
    assert!(run.findings[0]
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("\"2024-01-01\""));
}

#[test]
fn dates_are_refused_only_in_files_the_agent_reads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "ecs.yml", "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"arn:aws:ecs:us-east-1:111222333444:task-definition/app:1\"\n        LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}\n        PlatformVersion: 2024-01-01\n");
    let run = validate(tmp.path(), &["--format", "json", "ecs.yml"]);
    assert_eq!((run.code, run.codes()), (0, vec![]), "{}", run.stdout);
}

#[test]
fn a_file_argument_is_checked_with_its_revision_unless_file_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "app/appspec.yml", "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv\nhooks:\n  BeforeInstall:\n    - location: scripts/install.sh\n");
    let run = validate(tmp.path(), &["--format", "json", "app/appspec.yml"]);
    assert_eq!(run.found(), [("E023", 4), ("E045", 8)], "{}", run.stdout);
    assert!(run.findings[1].message.contains("scripts/install.sh"));
    let run = validate(
        tmp.path(),
        &["--file-only", "--format", "json", "app/appspec.yml"],
    );
    assert_eq!((run.code, run.codes()), (0, vec![]), "{}", run.stdout);
    let run = validate(tmp.path(), &["--file-only", "--format", "json", "app"]);
    assert_eq!((run.code, run.codes()), (0, vec![]), "{}", run.stdout);
}

#[test]
fn non_utf8_file_is_unreadable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", b"version: 0.0\nos: li\xffnux\n");
    let run = validate(tmp.path(), &["--format", "json", "appspec.yml"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.codes(), ["E002"]);
    assert_eq!(run.findings[0].line, 2);
}

#[test]
fn missing_file_is_unreadable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = validate(tmp.path(), &["--format", "json", "nope.yml"]);
    assert_eq!((run.code, run.codes()), (2, vec!["E001"]));
}

#[test]
fn deep_nesting_is_a_finding_not_a_crash() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let deep = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    write(tmp.path(), "appspec.yml", deep);
    let run = validate(tmp.path(), &["--format", "json", "appspec.yml"]);
    assert_eq!((run.code, run.codes()), (2, vec!["E005"]));
}

#[test]
fn github_format_prints_workflow_commands() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", "version: 0.0\nos: ubuntu\n");
    let run = validate(tmp.path(), &["--format", "github", "appspec.yml"]);
    assert_eq!(run.code, 1);
    let line = run.stdout.lines().next().unwrap_or("");
    assert!(line.starts_with("::error file="), "{line}");
    assert!(
        line.contains("appspec.yml,line=2,col=5::[E012] unsupported os"),
        "{line}"
    );
}

#[test]
fn platform_flag_overrides_detection() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", "version: 0.0\nos: linux\n");
    let run = validate(
        tmp.path(),
        &["--format", "json", "--platform", "lambda", "appspec.yml"],
    );
    assert_eq!(run.code, 1);
    let lines = run.found();
    assert_eq!(lines, [("E070", 1), ("E013", 2)]);
}

// ---- revision directories -------------------------------------------------

const REVISION: &str = "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\nhooks:\n  BeforeInstall:\n    - location: scripts/install.sh\n      timeout: 300\n";

/// A complete, valid revision in a temp dir.
fn revision() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "appspec.yml", REVISION);
    write(tmp.path(), "app/index.html", "<p>hi</p>\n");
    let script = write(
        tmp.path(),
        "scripts/install.sh",
        "#!/bin/sh\necho install\n",
    );
    #[cfg(unix)]
    chmod(&script, 0o755);
    tmp
}

#[test]
fn complete_revision_is_clean() {
    let tmp = revision();
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!((run.code, run.codes()), (0, vec![]));
}

#[test]
fn revision_reports_a_missing_source() {
    let tmp = revision();
    fs::remove_dir_all(tmp.path().join("app")).expect("rm");
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!(run.code, 1);
    let found = run.found();
    assert_eq!(found, [("E023", 4)]);
}

#[test]
fn revision_reports_a_missing_script() {
    let tmp = revision();
    fs::remove_file(tmp.path().join("scripts/install.sh")).expect("rm");
    let run = validate(tmp.path(), &["--format", "json", "."]);
    let found = run.found();
    assert_eq!((run.code, found), (1, vec![("E045", 8)]));
}

#[cfg(unix)]
#[test]
fn non_executable_script_is_a_warning() {
    let tmp = revision();
    chmod(&tmp.path().join("scripts/install.sh"), 0o644);
    let run = validate(tmp.path(), &["--format", "json", "."]);
    let found: Vec<(&str, &str, usize)> = run
        .findings
        .iter()
        .map(|f| (f.severity.as_str(), f.code.as_str(), f.line))
        .collect();
    assert_eq!((run.code, found), (0, vec![("warning", "W002", 8)]));
}

#[test]
fn script_without_shebang_is_a_warning() {
    let tmp = revision();
    let script = write(tmp.path(), "scripts/install.sh", "echo install\n");
    #[cfg(unix)]
    chmod(&script, 0o755);
    let run = validate(tmp.path(), &["--format", "json", "."]);
    let found = run.found();
    assert_eq!((run.code, found), (0, vec![("W003", 8)]));
}

#[test]
fn two_files_with_one_target_collide() {
    let tmp = revision();
    write(tmp.path(), "other/index.html", "x\n");
    let appspec = REVISION.replace(
        "hooks:",
        "  - source: other\n    destination: /srv/app\nhooks:",
    );
    write(tmp.path(), "appspec.yml", appspec);
    let run = validate(tmp.path(), &["--format", "json", "."]);
    let found = run.found();
    assert_eq!((run.code, found), (1, vec![("E025", 6)]));
}

#[cfg(unix)]
#[test]
fn directory_symlink_out_of_the_revision_is_refused() {
    let tmp = revision();
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "secret.txt", "x\n");
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("app/link")).expect("symlink");
    let run = validate(tmp.path(), &["--format", "json", "."]);
    let found = run.found();
    assert_eq!((run.code, found), (1, vec![("E022", 4)]));
}

#[test]
fn pattern_on_an_installed_file_is_refused() {
    let tmp = revision();
    let perms = "permissions:\n  - object: /srv/app/index.html\n    pattern: \"*.html\"\n";
    write(tmp.path(), "appspec.yml", format!("{REVISION}{perms}"));
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!((run.code, run.found()), (1, vec![("E038", 12)]));
}

#[test]
fn one_path_matched_by_two_permissions_is_refused() {
    let tmp = revision();
    let perms = "permissions:\n  - object: /srv/app\n    mode: 755\n  - object: /srv/app\n    pattern: \"*.html\"\n    mode: 644\n";
    write(tmp.path(), "appspec.yml", format!("{REVISION}{perms}"));
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!((run.code, run.found()), (1, vec![("E039", 13)]));
    let disjoint = perms.replace("    mode: 755\n", "    type: [directory]\n    mode: 755\n");
    write(tmp.path(), "appspec.yml", format!("{REVISION}{disjoint}"));
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!((run.code, run.found()), (0, vec![]));
}

#[test]
fn directory_without_appspec_is_unreadable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = validate(tmp.path(), &["--format", "json", "."]);
    assert_eq!((run.code, run.codes()), (2, vec!["E001"]));
}

#[test]
fn no_arguments_checks_the_repository_root() {
    let tmp = revision();
    write(
        tmp.path(),
        "gantry.yml",
        "version: 1\nstages:\n  - name: test\n    run: echo ok\n",
    );
    fs::create_dir_all(tmp.path().join("sub/dir")).expect("mkdir");
    let run = validate(&tmp.path().join("sub/dir"), &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("checked 2 files: 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
    fs::remove_dir_all(tmp.path().join("app")).expect("rm");
    let run = validate(&tmp.path().join("sub"), &["--format", "json"]);
    assert_eq!((run.code, run.codes()), (1, vec!["E023"]));
}

#[test]
fn no_arguments_and_nothing_to_check_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = validate(tmp.path(), &[]);
    assert_eq!(run.code, 2);
}

#[test]
fn broken_gantry_yml_is_unreadable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "gantry.yml", "version: 1\nstages: [\n");
    let run = validate(tmp.path(), &["--format", "json", "gantry.yml"]);
    assert_eq!((run.code, run.codes()), (2, vec!["C001"]));
}

#[test]
fn every_gantry_yml_error_exits_with_the_config_error_code() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let configs = [
        ("version: 1\nstages: [\n", "C001"),
        (
            "version: 1\nstages:\n  - { name: a, run: x, timout: 1 }\n",
            "C001",
        ),
        (
            "version: 1\nstages:\n  - { name: a, run: x }\n  - { name: a, run: y }\n",
            "C004",
        ),
        (
            "version: 1\nstages:\n  - { name: a, run: 'echo ${git.nope}' }\n",
            "C010",
        ),
    ];
    for (config, code) in configs {
        write(tmp.path(), "gantry.yml", config);
        let run = validate(tmp.path(), &["--format", "json", "gantry.yml"]);
        assert_eq!((run.code, run.codes()), (2, vec![code]), "{config}");
    }
}

// ---- property tests: no input makes the parser or validator panic ----------

/// Runs `f` on a thread with a large stack, as the binary's workers do.
fn on_big_stack(f: impl FnOnce() + Send) {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .expect("no panic");
    });
}

fn check(bytes: &[u8]) {
    let file = Path::new("appspec.yml");
    for platform in [
        None,
        Some(gantry::appspec::Platform::Ecs),
        Some(gantry::appspec::Platform::Lambda),
    ] {
        let report = gantry::appspec::check_bytes(file, bytes, platform, None);
        for d in &report.diagnostics {
            assert!(!d.code.is_empty() && !d.message.is_empty());
        }
    }
}

const SEEDS: &[&str] = &[
    REVISION,
    "version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: 0644\n    acls: [u:a:rw, d:g:b:5]\n    context: {type: t, range: s0-s1:c0.c3}\n    type: [file]\n",
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: x\n        LoadBalancerInfo: {ContainerName: a, ContainerPort: 80}\nHooks:\n  - BeforeInstall: f\n",
    "{\"version\": 0.0, \"Resources\": [{\"f\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Name\": \"f\", \"Alias\": \"a\", \"CurrentVersion\": \"1\", \"TargetVersion\": \"2\"}}}]}",
];

/// Bytes that matter to YAML, for the mutations.
const NOISE: &[u8] = b" :-[]{}\t\n#'\"0x&*!|>";

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        on_big_stack(|| check(&bytes));
    }

    #[test]
    fn mutated_appspecs_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), 0u8..3, any::<u8>()), 1..8),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for (at, op, byte) in edits {
            let i = at % (bytes.len() + 1);
            match op {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = NOISE[usize::from(byte) % NOISE.len()],
                _ => bytes.push(byte),
            }
        }
        on_big_stack(|| check(&bytes));
    }
}

// ---- the library model ------------------------------------------------------

#[test]
fn load_returns_the_model_of_a_valid_revision() {
    use gantry::appspec::{load, Os};
    let tmp = revision();
    let spec = load(&tmp.path().join("appspec.yml")).expect("a valid revision");
    assert_eq!(spec.os, Os::Linux);
    assert_eq!(
        (
            spec.files[0].source.as_str(),
            spec.files[0].destination.as_str()
        ),
        ("app", "/srv/app")
    );
    let install = &spec.hooks["BeforeInstall"][0];
    assert_eq!(
        (
            install.location.as_str(),
            install.timeout,
            install.runas.as_deref()
        ),
        ("scripts/install.sh", 300, None)
    );
    assert_eq!(spec.file_exists_behavior, None);
}

#[test]
fn load_refuses_a_file_with_errors() {
    let tmp = revision();
    write(
        tmp.path(),
        "appspec.yml",
        REVISION.replace("timeout: 300", "timeout: 0"),
    );
    let errors = gantry::appspec::load(&tmp.path().join("appspec.yml")).expect_err("timeout 0");
    let found: Vec<(&str, usize)> = errors.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert_eq!(found, [("E046", 9)]);
}
