//! Differential test against the real CodeDeploy agent: variants of the
//! corpus revisions (wrong types, YAML 1.1 scalars, odd keys, link tricks)
//! are checked by the agent's own AppSpec code (`shared/oracle`, run with
//! Ruby) and by `gantry validate`, and the verdicts must agree:
//!
//! - gantry never accepts a revision the agent refuses;
//! - gantry refuses one the agent accepts only where a rule of
//!   `appspec-rules.md` is stricter on purpose, listed in [`STRICTER`]
//!   (docs/appspec.md, "Agreement with the agent", says the same).
//!
//! Needs `ruby` and the shared oracle: when `GANTRY_TEST_REQUIRE` names them
//! (`.ci/run` does) their absence fails the test, elsewhere it says it skipped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{common, shared_dir, validate};

/// Where gantry is stricter than the agent on purpose: (variant name
/// prefix, the rule that says so). A variant whose name starts with a prefix
/// may be refused by gantry and accepted by the agent.
const STRICTER: &[(&str, &str)] = &[
    ("duplicate key", "rule 4: Psych silently keeps the last of two equal keys"),
    ("top-level typo", "rule 8: the agent ignores unknown top-level keys, so a typo drops a section"),
    ("link: directory outside", "rules 16, 20: a directory link leading out of the revision pulls outside content in"),
    ("link: source is an outside file", "rule 16: a source leading out of the revision through a link"),
    ("source=''", "rule 14: an empty source means the whole revision to the agent; gantry asks for `/` to say so"),
    ("hook reserved Install", "rule 41: scripts under Install never run"),
    ("destination=", "rule 17: the docs require a fully qualified destination; the agent expands a relative one against its working directory"),
    ("permission mode=0644", "rule 34: an unquoted leading-zero mode is octal (0644 = 420) to the agent"),
    ("runas=", "rule 47: `runas` is a user name; the agent turns any scalar into a string"),
    ("timeout=3601", "rule 46: 3600 s is the most one lifecycle event may take"),
    ("timeout=1:30", "rule 46: 3600 s is the most one lifecycle event may take"),
    ("hook event null unknown", "rule 42: not a lifecycle event, even with no scripts"),
    ("hook location directory", "rule 44: a script location names a file"),
    ("permission context user", "rule 36: the agent ignores `user`, the docs' SELinux user key"),
    ("sudo=", "rule 47: `sudo` is a boolean"),
];

/// The corpus revisions the variants start from (valid as they are).
const BASES: &[&str] = &[
    "samples__applications__SampleApp_Linux",
    "agent__features__resources__sample_app_bundle_windows",
    "samples__conf-mgmt__salt__local-only",
    "samples__load-balancing__elb",
    "agent__features__resources__sample_app_bundle_linux",
];

/// Scalars put in place of a value: YAML 1.1 types, wrong types, edge numbers.
const SCALARS: &[&str] = &[
    "2024-01-01",
    "2024-01-01 10:00:00",
    "2024-01-01T10:00:00Z",
    "'2024-01-01'",
    ":root",
    "0o0",
    "0.",
    "0_0",
    "0x0",
    "00",
    "0.0e+0",
    "1e3",
    "1.5",
    "0.5",
    "300s",
    "1,000",
    "1:30",
    "yes",
    "off",
    "~",
    "\"0.0\"",
    "0644",
    "[a]",
    "{a: 1}",
    "''",
    "-5",
    "3601",
    ".inf",
    "!!str 300",
    "!!float 0",
];

/// Keys whose first value gets each of [`SCALARS`].
const KEYS: &[&str] = &[
    "version",
    "os",
    "source",
    "destination",
    "location",
    "timeout",
    "runas",
];

/// ACL entries, valid and not, for a permission on an installed directory.
const ACLS: &[&str] = &[
    "d:o:3",
    "d:u:bob:7",
    "d:m:7",
    "m:7",
    "mask::rw",
    "mask:r-x",
    "u:bob:rwx",
    "d:u::rwx",
    "u::rw",
    "o:r",
    "g::r",
    "default:d:u:r",
    "u:bob:rwz",
    "x:a:b:c:d",
    "m:bob:r",
    "rw",
    "d:d:r",
];

/// One revision to check: a corpus base with a changed AppSpec file and
/// maybe a symlink added.
struct Variant {
    name: String,
    base: &'static str,
    appspec: String,
    link: Option<(&'static str, Link)>,
}

/// What an added symlink points at.
#[derive(Clone, Copy)]
enum Link {
    /// A directory outside the revision.
    OutsideDir,
    /// A file outside the revision.
    OutsideFile,
    /// Nothing.
    Dangling,
    /// A directory inside the revision (`scripts`).
    InsideDir,
}

/// The value of the first `key:` line (after an optional `- `).
fn first_value(text: &str, key: &str) -> Option<String> {
    let prefix = format!("{key}:");
    text.lines().find_map(|l| {
        let t = l.trim_start().trim_start_matches("- ");
        t.strip_prefix(&prefix).map(|v| v.trim().to_string())
    })
}

/// `text` with the value of the first `key:` line replaced by `value`.
fn set(text: &str, key: &str, value: &str) -> Option<String> {
    replace_line(text, key, |indent, _| format!("{indent}{key}: {value}"))
}

/// `text` with the first `key:` line renamed to `new`.
fn rename(text: &str, key: &str, new: &str) -> Option<String> {
    replace_line(text, key, |indent, rest| format!("{indent}{new}:{rest}"))
}

fn replace_line(text: &str, key: &str, f: impl Fn(&str, &str) -> String) -> Option<String> {
    let prefix = format!("{key}:");
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        let body = line.trim_start();
        let dash = if body.starts_with("- ") { 2 } else { 0 };
        let indent = &line[..line.len() - body.len() + dash];
        match body[dash..].strip_prefix(&prefix) {
            Some(rest) if !done => {
                out.push_str(&f(indent, rest));
                done = true;
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    done.then_some(out)
}

/// The corpus AppSpec text without comment lines (they may hold `key:`).
fn clean(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn variants(corpus: &Path) -> Vec<Variant> {
    let mut out = Vec::new();
    for &base in BASES {
        let text = clean(&fs::read_to_string(corpus.join(base).join("appspec.yml")).expect("read"));
        let mut add =
            |name: String, appspec: Option<String>, link: Option<(&'static str, Link)>| {
                if let Some(appspec) = appspec {
                    out.push(Variant {
                        name,
                        base,
                        appspec,
                        link,
                    });
                }
            };
        add("unchanged".into(), Some(text.clone()), None);
        for key in KEYS {
            for value in SCALARS {
                add(format!("{key}={value}"), set(&text, key, value), None);
            }
        }
        let object = first_value(&text, "destination").unwrap_or_else(|| "/tmp/x".into());
        let permission =
            |body: &str| Some(format!("{text}permissions:\n  - object: {object}\n{body}"));
        for acl in ACLS {
            add(
                format!("permission acl {acl}"),
                permission(&format!("    acls: [\"{acl}\"]\n")),
                None,
            );
        }
        for (name, body) in [
            (
                "default acl on directories",
                "    acls: [\"d:u:bob:rwx\"]\n    type: [directory]\n",
            ),
            ("mode=644", "    mode: 644\n"),
            ("mode=0644", "    mode: 0644\n"),
            ("mode=\"0644\"", "    mode: \"0644\"\n"),
            ("mode=9999", "    mode: 9999\n"),
            ("mode=12345", "    mode: \"12345\"\n"),
            ("mode=0o644", "    mode: 0o644\n"),
            ("mode=rw-r--r--", "    mode: rw-r--r--\n"),
            ("type file", "    type: file\n"),
            ("type [file]", "    type: [file]\n"),
            ("type [folder]", "    type: [folder]\n"),
            ("except [2024-01-01]", "    except: [2024-01-01]\n"),
            ("except a.txt", "    except: a.txt\n"),
            ("except / in entry", "    except: [a/b]\n"),
            ("pattern", "    pattern: \"*.html\"\n"),
            ("unknown key modes", "    modes: \"644\"\n"),
            ("unknown key owners", "    owners: bob\n"),
            ("context type", "    context: {type: httpd_sys_content_t}\n"),
            ("context name only", "    context: {name: system_u}\n"),
            ("context user", "    context: {user: system_u, type: t}\n"),
            ("context range", "    context: {type: t, range: s0:c1024}\n"),
            ("owner date", "    owner: 2024-01-01\n"),
        ] {
            add(format!("permission {name}"), permission(body), None);
        }
        for object in ["test/", "''", "~", "5", "/nowhere/else"] {
            let appspec = Some(format!("{text}permissions:\n  - object: {object}\n"));
            add(format!("permission object {object}"), appspec, None);
        }
        add(
            "files key typo".into(),
            rename(&text, "destination", "destinaton"),
            None,
        );
        add(
            "files unknown key".into(),
            set(&text, "source", "index.html\n    mode: 644"),
            None,
        );
        add(
            "hook location typo".into(),
            rename(&text, "location", "Location"),
            None,
        );
        add(
            "hook unknown key timout".into(),
            set(
                &text,
                "location",
                &format!(
                    "{}\n      timout: 5",
                    first_value(&text, "location").unwrap_or_default()
                ),
            ),
            None,
        );
        add(
            "hook event null unknown".into(),
            Some(text.replace("hooks:\n", "hooks:\n  Deploy:\n")),
            None,
        );
        let null_event = text.replace("hooks:\n", "hooks:\n  AfterInstall:\n");
        add(
            "hook event null".into(),
            Some(null_event).filter(|_| !text.contains("AfterInstall")),
            None,
        );
        add(
            "hook script as a string".into(),
            Some(text.replace("- location: ", "- ")),
            None,
        );
        // `hooks` is the last section of every base: cut there, then `hooks: []`.
        add(
            "hooks as a list".into(),
            set(&text, "hooks", "[]")
                .map(|t| t.split("hooks: []").next().unwrap_or("").to_string() + "hooks: []\n"),
            None,
        );
        add(
            "hook location directory".into(),
            set(&text, "location", "scripts"),
            None,
        );
        add(
            "hook reserved Install".into(),
            Some(text.replace("BeforeInstall:", "Install:")).filter(|t| t != &text),
            None,
        );
        add(
            "top-level typo".into(),
            rename(&text, "hooks", "hook"),
            None,
        );
        add(
            "duplicate key".into(),
            Some(format!(
                "{text}os: {}\n",
                first_value(&text, "os").unwrap_or_default()
            )),
            None,
        );
        add("bom".into(), Some(format!("\u{feff}{text}")), None);
        add(
            "tab indent".into(),
            Some(text.replacen("\n  ", "\n\t", 1)),
            None,
        );
        add(
            "file_exists_behavior=OVERWRITE".into(),
            Some(format!("{text}file_exists_behavior: OVERWRITE\n")),
            None,
        );
        add(
            "file_exists_behavior=overwrite".into(),
            Some(format!("{text}file_exists_behavior: overwrite\n")),
            None,
        );
        add(
            "anchor alone".into(),
            set(
                &text,
                "os",
                &format!("&o {}", first_value(&text, "os").unwrap_or_default()),
            ),
            None,
        );
        add("alias".into(), alias(&text), None);
        add(
            "sudo=true".into(),
            set(
                &text,
                "location",
                &format!(
                    "{}\n      sudo: true",
                    first_value(&text, "location").unwrap_or_default()
                ),
            ),
            None,
        );
        add(
            "sudo=maybe".into(),
            set(
                &text,
                "location",
                &format!(
                    "{}\n      sudo: maybe",
                    first_value(&text, "location").unwrap_or_default()
                ),
            ),
            None,
        );
        add("source=../".into(), set(&text, "source", "../"), None);
        for (name, link) in [
            ("link: directory outside", Link::OutsideDir),
            ("link: file outside", Link::OutsideFile),
            ("link: dangling", Link::Dangling),
            ("link: directory inside", Link::InsideDir),
        ] {
            add(name.into(), Some(text.clone()), Some(("linked", link)));
        }
        add(
            "link: script is a dangling link".into(),
            set(&text, "location", "linked"),
            Some(("linked", Link::Dangling)),
        );
        add(
            "link: source is an outside file".into(),
            set(&text, "source", "linked"),
            Some(("linked", Link::OutsideFile)),
        );
    }
    out
}

/// The first hook script list anchored and reused for another event.
fn alias(text: &str) -> Option<String> {
    let loc = first_value(text, "location")?;
    let anchored = text.replacen(
        &format!("- location: {loc}"),
        &format!("- &s\n      location: {loc}"),
        1,
    );
    Some(anchored.replace("hooks:\n", "hooks:\n  ValidateService:\n    - *s\n"))
        .filter(|_| !text.contains("ValidateService"))
}

/// Writes each variant as a revision `vNNNN/` under `root`.
fn write_variants(corpus: &Path, root: &Path, outside: &Path, variants: &[Variant]) -> Vec<String> {
    let mut names = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let name = format!("v{i:04}");
        let dir = root.join(&name);
        copy_tree(&corpus.join(v.base), &dir);
        fs::write(dir.join("appspec.yml"), &v.appspec).expect("write appspec");
        if let Some((at, link)) = v.link {
            let target = match link {
                Link::OutsideDir => outside.to_path_buf(),
                Link::OutsideFile => outside.join("secret.txt"),
                Link::Dangling => PathBuf::from("nowhere"),
                Link::InsideDir => PathBuf::from("scripts"),
            };
            std::os::unix::fs::symlink(target, dir.join(at)).expect("symlink");
        }
        names.push(name);
    }
    names
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.file_name() != "appspec.yml" {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The agent's verdict (`full=VALID`) and message per path, all paths in one
/// Ruby run.
fn agent_verdicts(script: &Path, root: &Path, names: &[String]) -> HashMap<String, (bool, String)> {
    let mut child = Command::new("ruby")
        .arg(script)
        .args(["--os", "any", "-"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ruby");
    let input = names.join("\n") + "\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write paths");
    let output = child.wait_with_output().expect("ruby output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verdicts: HashMap<String, (bool, String)> = stdout
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [path, _, full, stage, message] = f[..] else {
                return None;
            };
            Some((
                path.to_string(),
                (full == "full=VALID", format!("{stage}: {message}")),
            ))
        })
        .collect();
    assert_eq!(verdicts.len(), names.len(), "oracle output:\n{stdout}");
    verdicts
}

/// gantry's errors per revision (empty: accepted), one validate run for all.
fn gantry_verdicts(root: &Path, names: &[String]) -> HashMap<String, Vec<String>> {
    let mut args = vec!["--format", "json"];
    args.extend(names.iter().map(String::as_str));
    let run = validate(root, &args);
    let mut errors: HashMap<String, Vec<String>> =
        names.iter().map(|n| (n.clone(), Vec::new())).collect();
    for f in run.findings.iter().filter(|f| f.severity == "error") {
        let first = f.file.components().next().expect("a path");
        let name = first.as_os_str().to_string_lossy().into_owned();
        errors
            .get_mut(&name)
            .unwrap_or_else(|| panic!("a finding outside the variants: {f:?}"))
            .push(format!("{} {}", f.code, f.message));
    }
    errors
}

fn stricter_rule(name: &str) -> Option<(&'static str, &'static str)> {
    STRICTER
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .copied()
}

#[test]
fn gantry_agrees_with_the_codedeploy_agent() {
    let shared = shared_dir();
    let script = shared.join("oracle/agent-validate.rb");
    let corpus = shared.join("corpus/appspec-samples");
    let where_ = format!(
        "the shared oracle and corpus ({}, or GANTRY_SHARED_DIR)",
        shared.display()
    );
    if !common::tool_available("oracle", script.is_file() && corpus.is_dir(), &where_)
        || !common::have_program("ruby", "apt-get install -y ruby")
    {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (root, outside) = (tmp.path().join("revisions"), tmp.path().join("outside"));
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(outside.join("secret.txt"), "outside\n").expect("write");
    let variants = variants(&corpus);
    assert!(variants.len() > 500, "{} variants", variants.len());
    let names = write_variants(&corpus, &root, &outside, &variants);
    let agent = agent_verdicts(&script, &root, &names);
    let gantry = gantry_verdicts(&root, &names);

    let mut looser = String::new();
    let mut undocumented = String::new();
    let mut stricter: BTreeMap<&str, usize> = BTreeMap::new();
    let mut counts = [0usize; 2];
    let mut used: Vec<&str> = Vec::new();
    for (v, name) in variants.iter().zip(&names) {
        let (agent_ok, why) = &agent[name];
        let errors = &gantry[name];
        counts[usize::from(*agent_ok)] += 1;
        let label = format!("{} [{}] ({name})", v.name, v.base);
        match (agent_ok, errors.is_empty()) {
            (false, true) => {
                let _ = writeln!(looser, "  {label}: the agent says {why}");
            }
            (true, false) => match stricter_rule(&v.name) {
                Some((prefix, rule)) => {
                    used.push(prefix);
                    *stricter.entry(rule).or_default() += 1;
                }
                None => {
                    let _ = writeln!(undocumented, "  {label}: gantry says {}", errors.join("; "));
                }
            },
            _ => {}
        }
    }
    let unused: Vec<&str> = STRICTER
        .iter()
        .map(|(prefix, _)| *prefix)
        .filter(|prefix| !used.contains(prefix))
        .collect();
    println!(
        "{} variants: the agent refuses {}, accepts {}; gantry stricter on purpose: {stricter:#?}",
        variants.len(),
        counts[0],
        counts[1]
    );
    assert!(
        looser.is_empty(),
        "gantry accepts what the CodeDeploy agent refuses:\n{looser}"
    );
    assert!(
        undocumented.is_empty(),
        "gantry refuses what the agent accepts, and no rule in STRICTER says it should:\n{undocumented}"
    );
    assert!(
        unused.is_empty(),
        "STRICTER entries no variant needs (remove them): {unused:?}"
    );
}
