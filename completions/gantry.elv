
use builtin;
use str;

set edit:completion:arg-completer[gantry] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'gantry'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'gantry'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)'
            cand run 'Run the pipeline: every stage, or the named ones'
            cand watch 'Run the pipeline again whenever an input file changes'
            cand list 'Print the stages and actions as a tree'
            cand graph 'Draw the pipeline: stages, parallel groups, gates'
            cand validate 'Check appspec.yml files and gantry.yml for mistakes'
            cand deploy 'Carry out a CodeDeploy in-place deployment on local instances'
            cand hook 'Install, remove or inspect the git pre-push hook'
            cand cache 'Manage the action cache'
            cand history 'List recent runs: id, start time, commit, status, duration'
            cand retry 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)'
            cand logs 'Print the logs of a run (the latest by default), or follow a run in progress'
            cand export 'Write the pipeline as another CI engine''s configuration'
            cand schema 'Print the JSON Schema of gantry.yml (for editors)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;init'= {
            cand --template 'Use this ecosystem''s template (or this task runner''s targets) for the directory instead of detecting'
            cand --from 'Take the lint/build/test commands from this source only (default: CI files, then task runners, then package.json scripts)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --force 'Overwrite an existing gantry.yml (and, with --appspec, appspec.yml and its scripts)'
            cand --appspec 'Also write an EC2/On-Premises appspec.yml and scripts/ with its hook scripts'
            cand --dry-run 'Print every file that would be written; write nothing'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;run'= {
            cand --from 'Start at this stage'
            cand --to 'Stop after this stage'
            cand --skip 'Leave out this stage (repeatable)'
            cand -j 'Run at most N actions at once (default: as many as run_order allows)'
            cand --jobs 'Run at most N actions at once (default: as many as run_order allows)'
            cand -e 'Set an environment variable for every action (repeatable; wins over the config)'
            cand --env 'Set an environment variable for every action (repeatable; wins over the config)'
            cand --output 'How to print the end-of-run summary on stdout'
            cand --snapshot 'Run on a clean temporary checkout of REV (default HEAD; write `--snapshot=REV`): uncommitted and untracked files cannot change the result'
            cand --junit 'Also write the run as JUnit XML to FILE (one test case per action)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --choose 'Pick what to run from a fuzzy-searchable list of stages and actions (needs a terminal)'
            cand --dry-run 'Print the plan with every variable expanded; run nothing'
            cand --keep-going 'Go on with later stages after a stage failed'
            cand --no-cache 'Run every action, even those the cache would skip'
            cand --keep-snapshot 'Print where the snapshot''s checkout is (it is kept in .gantry/snapshot/ for the next run)'
            cand --clean 'Start the snapshot from a pristine checkout (build folders in .gantry/snapshot/ are deleted) and run every action'
            cand --pre-push 'Set by the pre-push hook: approval gates ask on the controlling terminal'
            cand -y 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
            cand --yes 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;watch'= {
            cand -j 'Run at most N actions at once (default: as many as run_order allows)'
            cand --jobs 'Run at most N actions at once (default: as many as run_order allows)'
            cand -e 'Set an environment variable for every action (repeatable; wins over the config)'
            cand --env 'Set an environment variable for every action (repeatable; wins over the config)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --no-clear 'Keep earlier runs'' output on screen instead of clearing it before each run'
            cand --keep-going 'Go on with later stages after a stage failed'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;list'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;graph'= {
            cand --format 'Text for the terminal, or Mermaid / Graphviz DOT for documentation'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;validate'= {
            cand --platform 'The compute platform, instead of detecting it from the content'
            cand --format 'How to print findings'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --file-only 'Check AppSpec files on their own: do not look in the revision (the file''s folder) for the sources and scripts they name'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;deploy'= {
            cand -g 'The deployment group (default: the only one in gantry.yml)'
            cand --group 'The deployment group (default: the only one in gantry.yml)'
            cand --revision 'The revision folder (default: the group''s `deploy:` action''s, else the pipeline root)'
            cand --appspec 'The AppSpec file, at the revision''s root (default: its appspec.yml)'
            cand --root 'Deploy onto DIR as the group''s only instance. `--root /` deploys onto this machine for real: files go to their real paths, scripts run as on a server'
            cand --shell 'Open an interactive shell in container instance N of the group (started first if needed; needs a terminal)'
            cand --output 'How to print the summary on stdout'
            cand --junit 'Also write the deployment as JUnit XML to FILE (one test case)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --rollback 'Redeploy the group''s previous successful revision'
            cand --recover 'Only restore instances that a killed or interrupted deployment left half done, as they were before it (every deployment does this first)'
            cand --no-rollback 'On failure, keep the failed state for inspection instead of rolling back'
            cand --ignore-application-stop-failures 'When ApplicationStop fails on an instance (its scripts fail, or the previous revision''s kept bundle changed), warn and go on with the deployment, as CodeDeploy''s option of the same name'
            cand --reset 'Remove the group''s container instances and create them afresh from their image (what deployments installed on them is gone)'
            cand -y 'Approve the group''s approval gate without asking (also GANTRY_APPROVE=1)'
            cand --yes 'Approve the group''s approval gate without asking (also GANTRY_APPROVE=1)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;hook'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand install 'Install the pre-push hook (an existing hook is chained, never overwritten)'
            cand uninstall 'Remove gantry''s pre-push hook and restore a chained one'
            cand status 'Say which pre-push hook is installed, and where'
            cand pre-push 'Run by the installed hook: check every pushed commit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;hook;install'= {
            cand --to 'Stop after this stage'
            cand --skip 'Leave out this stage (repeatable)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --all 'Also run stages that deploy or ask for approval (a gate asks on the terminal)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;hook;uninstall'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;hook;status'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;hook;pre-push'= {
            cand --to 'Stop after this stage'
            cand --skip 'Leave out this stage (repeatable)'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --all 'Also run stages that deploy or ask for approval (a gate asks on the terminal)'
            cand --chained 'Run the hook gantry moved to pre-push.gantry-chained first'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;hook;help'= {
            cand install 'Install the pre-push hook (an existing hook is chained, never overwritten)'
            cand uninstall 'Remove gantry''s pre-push hook and restore a chained one'
            cand status 'Say which pre-push hook is installed, and where'
            cand pre-push 'Run by the installed hook: check every pushed commit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;hook;help;install'= {
        }
        &'gantry;hook;help;uninstall'= {
        }
        &'gantry;hook;help;status'= {
        }
        &'gantry;hook;help;pre-push'= {
        }
        &'gantry;hook;help;help'= {
        }
        &'gantry;cache'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
            cand clean 'Delete every cache entry: the next run runs everything'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;cache;clean'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;cache;help'= {
            cand clean 'Delete every cache entry: the next run runs everything'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;cache;help;clean'= {
        }
        &'gantry;cache;help;help'= {
        }
        &'gantry;history'= {
            cand -n 'How many runs to list, newest first'
            cand --limit 'How many runs to list, newest first'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;retry'= {
            cand -j 'Run at most N actions at once (default: as many as run_order allows)'
            cand --jobs 'Run at most N actions at once (default: as many as run_order allows)'
            cand -e 'Set an environment variable for every action (repeatable; wins over the config)'
            cand --env 'Set an environment variable for every action (repeatable; wins over the config)'
            cand --output 'How to print the end-of-run summary on stdout'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --keep-going 'Go on with later stages after a stage failed'
            cand --no-cache 'Run every retried action, even those the cache would skip'
            cand -y 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
            cand --yes 'Approve every approval gate without asking (also GANTRY_APPROVE=1)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;logs'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand --failed 'Only the actions that failed or timed out'
            cand --follow 'Print lines as they are written, until the run ends (default run: the newest, also while it is still running)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;export'= {
            cand -o 'Write to FILE instead of stdout'
            cand --output 'Write to FILE instead of stdout'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;schema'= {
            cand -o 'Write to FILE instead of stdout'
            cand --output 'Write to FILE instead of stdout'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;completions'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'gantry;help'= {
            cand init 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)'
            cand run 'Run the pipeline: every stage, or the named ones'
            cand watch 'Run the pipeline again whenever an input file changes'
            cand list 'Print the stages and actions as a tree'
            cand graph 'Draw the pipeline: stages, parallel groups, gates'
            cand validate 'Check appspec.yml files and gantry.yml for mistakes'
            cand deploy 'Carry out a CodeDeploy in-place deployment on local instances'
            cand hook 'Install, remove or inspect the git pre-push hook'
            cand cache 'Manage the action cache'
            cand history 'List recent runs: id, start time, commit, status, duration'
            cand retry 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)'
            cand logs 'Print the logs of a run (the latest by default), or follow a run in progress'
            cand export 'Write the pipeline as another CI engine''s configuration'
            cand schema 'Print the JSON Schema of gantry.yml (for editors)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;help;init'= {
        }
        &'gantry;help;run'= {
        }
        &'gantry;help;watch'= {
        }
        &'gantry;help;list'= {
        }
        &'gantry;help;graph'= {
        }
        &'gantry;help;validate'= {
        }
        &'gantry;help;deploy'= {
        }
        &'gantry;help;hook'= {
            cand install 'Install the pre-push hook (an existing hook is chained, never overwritten)'
            cand uninstall 'Remove gantry''s pre-push hook and restore a chained one'
            cand status 'Say which pre-push hook is installed, and where'
            cand pre-push 'Run by the installed hook: check every pushed commit'
        }
        &'gantry;help;hook;install'= {
        }
        &'gantry;help;hook;uninstall'= {
        }
        &'gantry;help;hook;status'= {
        }
        &'gantry;help;hook;pre-push'= {
        }
        &'gantry;help;cache'= {
            cand clean 'Delete every cache entry: the next run runs everything'
        }
        &'gantry;help;cache;clean'= {
        }
        &'gantry;help;history'= {
        }
        &'gantry;help;retry'= {
        }
        &'gantry;help;logs'= {
        }
        &'gantry;help;export'= {
        }
        &'gantry;help;schema'= {
        }
        &'gantry;help;completions'= {
        }
        &'gantry;help;help'= {
        }
    ]
    $completions[$command]
}
