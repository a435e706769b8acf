//! gantry's integration tests, one binary: each module runs the real
//! `gantry` binary on real files in temporary directories (see `common`).
//!
//! One binary links once and lets the test harness run every test in
//! parallel; a new test file goes here as `mod NAME;`, not as a new
//! top-level `tests/NAME.rs` (the `layout` test fails on one). How to use
//! the builder and update snapshots: docs/testing.md.

mod common;

mod approval;
mod cache;
mod cache_trust;
mod choose;
mod completions;
mod conditions;
mod config;
mod config_fuzz;
mod config_pairs;
mod container;
mod container_engine_env;
mod custom_actions;
mod daily_loop;
mod deploy;
mod deploy_approval;
mod deploy_containers;
mod docs;
mod example;
mod export;
mod git;
mod history;
mod hook;
mod image;
mod include;
mod init;
mod init_appspec;
mod init_github;
mod init_sources;
mod layers;
mod layout;
mod manpages;
mod matrix;
mod outputs;
mod progress;
mod report;
mod run;
mod schema;
mod secrets;
mod services;
mod special_files;
mod tty;
mod validate;
mod watch;
