# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_gantry_global_optspecs
    string join \n C/directory= f/file= q/quiet v/verbose color= h/help V/version
end

function __fish_gantry_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_gantry_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_gantry_using_subcommand
    set -l cmd (__fish_gantry_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c gantry -n "__fish_gantry_needs_command" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_needs_command" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_needs_command" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_needs_command" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_needs_command" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_needs_command" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_needs_command" -s V -l version -d 'Print version'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "init" -d 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "run" -d 'Run the pipeline: every stage, or the named ones'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "watch" -d 'Run the pipeline again whenever an input file changes'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "list" -d 'Print the stages and actions as a tree'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "graph" -d 'Draw the pipeline: stages, parallel groups, gates'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "validate" -d 'Check appspec.yml files and gantry.yml for mistakes'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "deploy" -d 'Carry out a CodeDeploy in-place deployment on local instances'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "hook" -d 'Install, remove or inspect the git pre-push hook'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "cache" -d 'Manage the action cache'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "history" -d 'List recent runs: id, start time, commit, status, duration'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "retry" -d 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "logs" -d 'Print the logs of a run (the latest by default), or follow a run in progress'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "export" -d 'Write the pipeline as another CI engine\'s configuration'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "schema" -d 'Print the JSON Schema of gantry.yml (for editors)'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand init" -l template -d 'Use this ecosystem\'s template (or this task runner\'s targets) for the directory instead of detecting' -r -f -a "rust\t'Rust with Cargo'
node\t'Node with npm, yarn or pnpm'
go\t'Go modules'
python\t'Python'
maven\t'Java with Maven'
gradle\t'Java or Kotlin with Gradle'
dotnet\t'.NET'
ruby\t'Ruby with Bundler or Rake'
php\t'PHP with Composer'
make\t'`make` targets: `lint`, `all` (or `build`, or the default), `test`'
just\t'`just` recipes: `lint`, `build`, `test`'
task\t'Task (`Taskfile.yml`) tasks: `lint`, `build`, `test`'"
complete -c gantry -n "__fish_gantry_using_subcommand init" -l from -d 'Take the lint/build/test commands from this source only (default: CI files, then task runners, then package.json scripts)' -r -f -a "github-actions\t'The `run:` steps of `.github/workflows/*.yml`'
gitlab-ci\t'The `script:` of the jobs in `.gitlab-ci.yml`'
make\t'The `lint`/`build`/`test` targets of a `Makefile`'
just\t'The `lint`/`build`/`test` recipes of a `justfile`'
task\t'The `lint`/`build`/`test` tasks of a `Taskfile.yml`'
npm\t'The `lint`/`build`/`test` scripts of `package.json`'
tox\t'The check and test environments of `tox.ini`'
nox\t'The check and test sessions of `noxfile.py`'"
complete -c gantry -n "__fish_gantry_using_subcommand init" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand init" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand init" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand init" -l force -d 'Overwrite an existing gantry.yml (and, with --appspec, appspec.yml and its scripts)'
complete -c gantry -n "__fish_gantry_using_subcommand init" -l appspec -d 'Also write an EC2/On-Premises appspec.yml and scripts/ with its hook scripts'
complete -c gantry -n "__fish_gantry_using_subcommand init" -l dry-run -d 'Print every file that would be written; write nothing'
complete -c gantry -n "__fish_gantry_using_subcommand init" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand init" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l from -d 'Start at this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l to -d 'Stop after this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l skip -d 'Leave out this stage (repeatable)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -s j -l jobs -d 'Run at most N actions at once (default: as many as run_order allows)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -s e -l env -d 'Set an environment variable for every action (repeatable; wins over the config)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l output -d 'How to print the end-of-run summary on stdout' -r -f -a "human\t'Progress and a summary table for people'
json\t'The run summary as one JSON document on stdout; progress goes to stderr'"
complete -c gantry -n "__fish_gantry_using_subcommand run" -l snapshot -d 'Run on a clean temporary checkout of REV (default HEAD; write `--snapshot=REV`): uncommitted and untracked files cannot change the result' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l junit -d 'Also write the run as JUnit XML to FILE (one test case per action)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand run" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand run" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand run" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand run" -l choose -d 'Pick what to run from a fuzzy-searchable list of stages and actions (needs a terminal)'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l dry-run -d 'Print the plan with every variable expanded; run nothing'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l keep-going -d 'Go on with later stages after a stage failed'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l no-cache -d 'Run every action, even those the cache would skip'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l keep-snapshot -d 'Print where the snapshot\'s checkout is (it is kept in .gantry/snapshot/ for the next run)'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l clean -d 'Start the snapshot from a pristine checkout (build folders in .gantry/snapshot/ are deleted) and run every action'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l pre-push -d 'Set by the pre-push hook: approval gates ask on the controlling terminal'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s y -l yes -d 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s j -l jobs -d 'Run at most N actions at once (default: as many as run_order allows)' -r
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s e -l env -d 'Set an environment variable for every action (repeatable; wins over the config)' -r
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand watch" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand watch" -l no-clear -d 'Keep earlier runs\' output on screen instead of clearing it before each run'
complete -c gantry -n "__fish_gantry_using_subcommand watch" -l keep-going -d 'Go on with later stages after a stage failed'
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand watch" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand list" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand list" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand list" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand graph" -l format -d 'Text for the terminal, or Mermaid / Graphviz DOT for documentation' -r -f -a "text\t'A diagram in box-drawing text'
mermaid\t'A Mermaid flowchart'
dot\t'A Graphviz digraph'"
complete -c gantry -n "__fish_gantry_using_subcommand graph" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand graph" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand graph" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand graph" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand graph" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l platform -d 'The compute platform, instead of detecting it from the content' -r -f -a "server\t'EC2/On-Premises'
ecs\t'Amazon ECS'
lambda\t'AWS Lambda'"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l format -d 'How to print findings' -r -f -a "human\t'Compiler-style text with the source line and a caret'
json\t'One JSON object per finding, one per line'
github\t'GitHub Actions `::error` workflow commands'"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l file-only -d 'Check AppSpec files on their own: do not look in the revision (the file\'s folder) for the sources and scripts they name'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s g -l group -d 'The deployment group (default: the only one in gantry.yml)' -r
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l revision -d 'The revision folder (default: the group\'s `deploy:` action\'s, else the pipeline root)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l appspec -d 'The AppSpec file, at the revision\'s root (default: its appspec.yml)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l root -d 'Deploy onto DIR as the group\'s only instance. `--root /` deploys onto this machine for real: files go to their real paths, scripts run as on a server' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l shell -d 'Open an interactive shell in container instance N of the group (started first if needed; needs a terminal)' -r
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l output -d 'How to print the summary on stdout' -r -f -a "human\t'Progress and a summary table for people'
json\t'The run summary as one JSON document on stdout; progress goes to stderr'"
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l junit -d 'Also write the deployment as JUnit XML to FILE (one test case)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l rollback -d 'Redeploy the group\'s previous successful revision'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l recover -d 'Only restore instances that a killed or interrupted deployment left half done, as they were before it (every deployment does this first)'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l no-rollback -d 'On failure, keep the failed state for inspection instead of rolling back'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l ignore-application-stop-failures -d 'When ApplicationStop fails on an instance (its scripts fail, or the previous revision\'s kept bundle changed), warn and go on with the deployment, as CodeDeploy\'s option of the same name'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l reset -d 'Remove the group\'s container instances and create them afresh from their image (what deployments installed on them is gone)'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s y -l yes -d 'Approve the group\'s approval gate without asking (also GANTRY_APPROVE=1)'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -f -a "install" -d 'Install the pre-push hook (an existing hook is chained, never overwritten)'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -f -a "uninstall" -d 'Remove gantry\'s pre-push hook and restore a chained one'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -f -a "status" -d 'Say which pre-push hook is installed, and where'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -f -a "pre-push" -d 'Run by the installed hook: check every pushed commit'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status pre-push help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -l to -d 'Stop after this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -l skip -d 'Leave out this stage (repeatable)' -r
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -l all -d 'Also run stages that deploy or ask for approval (a gate asks on the terminal)'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -l to -d 'Stop after this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -l skip -d 'Leave out this stage (repeatable)' -r
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -l all -d 'Also run stages that deploy or ask for approval (a gate asks on the terminal)'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -l chained -d 'Run the hook gantry moved to pre-push.gantry-chained first'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from pre-push" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install the pre-push hook (an existing hook is chained, never overwritten)'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove gantry\'s pre-push hook and restore a chained one'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "status" -d 'Say which pre-push hook is installed, and where'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "pre-push" -d 'Run by the installed hook: check every pushed commit'
complete -c gantry -n "__fish_gantry_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -f -a "clean" -d 'Delete every cache entry: the next run runs everything'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and not __fish_seen_subcommand_from clean help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from clean" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "clean" -d 'Delete every cache entry: the next run runs everything'
complete -c gantry -n "__fish_gantry_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand history" -s n -l limit -d 'How many runs to list, newest first' -r
complete -c gantry -n "__fish_gantry_using_subcommand history" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand history" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand history" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand history" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand history" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand history" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s j -l jobs -d 'Run at most N actions at once (default: as many as run_order allows)' -r
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s e -l env -d 'Set an environment variable for every action (repeatable; wins over the config)' -r
complete -c gantry -n "__fish_gantry_using_subcommand retry" -l output -d 'How to print the end-of-run summary on stdout' -r -f -a "human\t'Progress and a summary table for people'
json\t'The run summary as one JSON document on stdout; progress goes to stderr'"
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand retry" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand retry" -l keep-going -d 'Go on with later stages after a stage failed'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -l no-cache -d 'Run every retried action, even those the cache would skip'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s y -l yes -d 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand logs" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand logs" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand logs" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand logs" -l failed -d 'Only the actions that failed or timed out'
complete -c gantry -n "__fish_gantry_using_subcommand logs" -l follow -d 'Print lines as they are written, until the run ends (default run: the newest, also while it is still running)'
complete -c gantry -n "__fish_gantry_using_subcommand logs" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand logs" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand logs" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand export" -s o -l output -d 'Write to FILE instead of stdout' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand export" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand export" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand export" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand export" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand export" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s o -l output -d 'Write to FILE instead of stdout' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand schema" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand schema" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand completions" -l color -d 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s h -l help -d 'Print help'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "init" -d 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "run" -d 'Run the pipeline: every stage, or the named ones'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "watch" -d 'Run the pipeline again whenever an input file changes'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "list" -d 'Print the stages and actions as a tree'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "graph" -d 'Draw the pipeline: stages, parallel groups, gates'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "validate" -d 'Check appspec.yml files and gantry.yml for mistakes'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "deploy" -d 'Carry out a CodeDeploy in-place deployment on local instances'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "hook" -d 'Install, remove or inspect the git pre-push hook'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "cache" -d 'Manage the action cache'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "history" -d 'List recent runs: id, start time, commit, status, duration'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "retry" -d 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "logs" -d 'Print the logs of a run (the latest by default), or follow a run in progress'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "export" -d 'Write the pipeline as another CI engine\'s configuration'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "schema" -d 'Print the JSON Schema of gantry.yml (for editors)'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from init run watch list graph validate deploy hook cache history retry logs export schema completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Install the pre-push hook (an existing hook is chained, never overwritten)'
complete -c gantry -n "__fish_gantry_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "uninstall" -d 'Remove gantry\'s pre-push hook and restore a chained one'
complete -c gantry -n "__fish_gantry_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "status" -d 'Say which pre-push hook is installed, and where'
complete -c gantry -n "__fish_gantry_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "pre-push" -d 'Run by the installed hook: check every pushed commit'
complete -c gantry -n "__fish_gantry_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "clean" -d 'Delete every cache entry: the next run runs everything'
