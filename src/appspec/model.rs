//! The typed model of a validated EC2/On-Premises AppSpec file, for
//! `gantry deploy` and anything else that needs to act on one.
//!
//! Values are as the agent would read them: defaults filled in (rules 11,
//! 21, 30, 31, 45), `mode` as the octal digits the agent applies (rule 34).

use std::collections::BTreeMap;

/// The instance operating system (`os`, rule 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    /// `os: linux`.
    Linux,
    /// `os: windows`.
    Windows,
}

/// What to do with a file that already exists at a target (rules 21–23).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileExistsBehavior {
    /// Fail the deployment (the agent's default).
    Disallow,
    /// Copy over the existing file.
    Overwrite,
    /// Keep the existing file and skip the copy.
    Retain,
}

/// One `files` entry (rules 13–18).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileMapping {
    /// Path relative to the revision root as written (`/` = the whole revision).
    pub source: String,
    /// Absolute directory on the instance the source is installed into.
    pub destination: String,
    /// Line of the entry in the AppSpec file.
    pub line: usize,
}

/// Which kinds of installed objects a permission applies to (rule 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectType {
    /// Files.
    File,
    /// Directories.
    Directory,
}

/// A `context` entry: SELinux file context (rule 36).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelinuxContext {
    /// The SELinux user (the agent reads the key `name`).
    pub name: Option<String>,
    /// The SELinux type (required by the agent).
    pub type_: String,
    /// The MLS/MCS range, e.g. `s0-s0:c0.c1023`.
    pub range: Option<String>,
}

/// One `permissions` entry (rules 28–38).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    /// Absolute path of the installed file or directory the entry is about.
    pub object: String,
    /// Simple glob (`*` only); `**` = everything below `object` (the default).
    pub pattern: String,
    /// Direct-child names to leave out.
    pub except: Vec<String>,
    /// User name to chown to.
    pub owner: Option<String>,
    /// Group name to chgrp to.
    pub group: Option<String>,
    /// Octal mode digits, 3 or 4 of them (e.g. `"0644"` → `"0644"`, `644` → `"644"`).
    pub mode: Option<String>,
    /// ACL entries for `setfacl`.
    pub acls: Vec<String>,
    /// SELinux context.
    pub context: Option<SelinuxContext>,
    /// Object kinds the entry applies to (default both).
    pub types: Vec<ObjectType>,
    /// Line of the entry in the AppSpec file.
    pub line: usize,
}

/// One script of a lifecycle event (rules 43–47).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookScript {
    /// Path of the script relative to the revision root.
    pub location: String,
    /// Seconds the script may run (default 3600).
    pub timeout: u32,
    /// User to run the script as (Linux only).
    pub runas: Option<String>,
    /// Run through `sudo` (agent-only, undocumented key; Linux only).
    pub sudo: bool,
    /// Line of the entry in the AppSpec file.
    pub line: usize,
}

/// A validated EC2/On-Premises AppSpec file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSpec {
    /// Target operating system.
    pub os: Os,
    /// Files to install, in file order.
    pub files: Vec<FileMapping>,
    /// Permissions to apply after copying, in file order (Linux only).
    pub permissions: Vec<Permission>,
    /// Scripts per lifecycle event name, each list in file order.
    pub hooks: BTreeMap<String, Vec<HookScript>>,
    /// `file_exists_behavior`, when the file sets it (else the deployment decides).
    pub file_exists_behavior: Option<FileExistsBehavior>,
}

/// Default script timeout in seconds (rule 45).
pub const DEFAULT_TIMEOUT: u32 = 3600;
