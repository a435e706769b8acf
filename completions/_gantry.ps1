
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'gantry' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'gantry'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'gantry' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the pipeline: every stage, or the named ones')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Run the pipeline again whenever an input file changes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the stages and actions as a tree')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the pipeline: stages, parallel groups, gates')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check appspec.yml files and gantry.yml for mistakes')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Carry out a CodeDeploy in-place deployment on local instances')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install, remove or inspect the git pre-push hook')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Manage the action cache')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent runs: id, start time, commit, status, duration')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the logs of a run (the latest by default), or follow a run in progress')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the pipeline as another CI engine''s configuration')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of gantry.yml (for editors)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;init' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Use this ecosystem''s template (or this task runner''s targets) for the directory instead of detecting')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Take the lint/build/test commands from this source only (default: CI files, then task runners, then package.json scripts)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing gantry.yml (and, with --appspec, appspec.yml and its scripts)')
            [CompletionResult]::new('--appspec', '--appspec', [CompletionResultType]::ParameterName, 'Also write an EC2/On-Premises appspec.yml and scripts/ with its hook scripts')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print every file that would be written; write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;run' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Start at this stage')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Stop after this stage')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out this stage (repeatable)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print the end-of-run summary on stdout')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'Run on a clean temporary checkout of REV (default HEAD; write `--snapshot=REV`): uncommitted and untracked files cannot change the result')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write the run as JUnit XML to FILE (one test case per action)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--choose', '--choose', [CompletionResultType]::ParameterName, 'Pick what to run from a fuzzy-searchable list of stages and actions (needs a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan with every variable expanded; run nothing')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Go on with later stages after a stage failed')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Run every action, even those the cache would skip')
            [CompletionResult]::new('--keep-snapshot', '--keep-snapshot', [CompletionResultType]::ParameterName, 'Print where the snapshot''s checkout is (it is kept in .gantry/snapshot/ for the next run)')
            [CompletionResult]::new('--clean', '--clean', [CompletionResultType]::ParameterName, 'Start the snapshot from a pristine checkout (build folders in .gantry/snapshot/ are deleted) and run every action')
            [CompletionResult]::new('--pre-push', '--pre-push', [CompletionResultType]::ParameterName, 'Set by the pre-push hook: approval gates ask on the controlling terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Approve every approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Approve every approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;watch' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--no-clear', '--no-clear', [CompletionResultType]::ParameterName, 'Keep earlier runs'' output on screen instead of clearing it before each run')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Go on with later stages after a stage failed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;graph' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Text for the terminal, or Mermaid / Graphviz DOT for documentation')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;validate' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The compute platform, instead of detecting it from the content')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print findings')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--file-only', '--file-only', [CompletionResultType]::ParameterName, 'Check AppSpec files on their own: do not look in the revision (the file''s folder) for the sources and scripts they name')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;deploy' {
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'The deployment group (default: the only one in gantry.yml)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'The deployment group (default: the only one in gantry.yml)')
            [CompletionResult]::new('--revision', '--revision', [CompletionResultType]::ParameterName, 'The revision folder (default: the group''s `deploy:` action''s, else the pipeline root)')
            [CompletionResult]::new('--appspec', '--appspec', [CompletionResultType]::ParameterName, 'The AppSpec file, at the revision''s root (default: its appspec.yml)')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Deploy onto DIR as the group''s only instance. `--root /` deploys onto this machine for real: files go to their real paths, scripts run as on a server')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Open an interactive shell in container instance N of the group (started first if needed; needs a terminal)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print the summary on stdout')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write the deployment as JUnit XML to FILE (one test case)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'Redeploy the group''s previous successful revision')
            [CompletionResult]::new('--recover', '--recover', [CompletionResultType]::ParameterName, 'Only restore instances that a killed or interrupted deployment left half done, as they were before it (every deployment does this first)')
            [CompletionResult]::new('--no-rollback', '--no-rollback', [CompletionResultType]::ParameterName, 'On failure, keep the failed state for inspection instead of rolling back')
            [CompletionResult]::new('--ignore-application-stop-failures', '--ignore-application-stop-failures', [CompletionResultType]::ParameterName, 'When ApplicationStop fails on an instance (its scripts fail, or the previous revision''s kept bundle changed), warn and go on with the deployment, as CodeDeploy''s option of the same name')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Remove the group''s container instances and create them afresh from their image (what deployments installed on them is gone)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Approve the group''s approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Approve the group''s approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;hook' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the pre-push hook (an existing hook is chained, never overwritten)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove gantry''s pre-push hook and restore a chained one')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say which pre-push hook is installed, and where')
            [CompletionResult]::new('pre-push', 'pre-push', [CompletionResultType]::ParameterValue, 'Run by the installed hook: check every pushed commit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;hook;install' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Stop after this stage')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out this stage (repeatable)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also run stages that deploy or ask for approval (a gate asks on the terminal)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;hook;uninstall' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;hook;status' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;hook;pre-push' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Stop after this stage')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out this stage (repeatable)')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also run stages that deploy or ask for approval (a gate asks on the terminal)')
            [CompletionResult]::new('--chained', '--chained', [CompletionResultType]::ParameterName, 'Run the hook gantry moved to pre-push.gantry-chained first')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;hook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the pre-push hook (an existing hook is chained, never overwritten)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove gantry''s pre-push hook and restore a chained one')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say which pre-push hook is installed, and where')
            [CompletionResult]::new('pre-push', 'pre-push', [CompletionResultType]::ParameterValue, 'Run by the installed hook: check every pushed commit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;hook;help;install' {
            break
        }
        'gantry;hook;help;uninstall' {
            break
        }
        'gantry;hook;help;status' {
            break
        }
        'gantry;hook;help;pre-push' {
            break
        }
        'gantry;hook;help;help' {
            break
        }
        'gantry;cache' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('clean', 'clean', [CompletionResultType]::ParameterValue, 'Delete every cache entry: the next run runs everything')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;cache;clean' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;cache;help' {
            [CompletionResult]::new('clean', 'clean', [CompletionResultType]::ParameterValue, 'Delete every cache entry: the next run runs everything')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;cache;help;clean' {
            break
        }
        'gantry;cache;help;help' {
            break
        }
        'gantry;history' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many runs to list, newest first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many runs to list, newest first')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;retry' {
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Run at most N actions at once (default: as many as run_order allows)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set an environment variable for every action (repeatable; wins over the config)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print the end-of-run summary on stdout')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Go on with later stages after a stage failed')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Run every retried action, even those the cache would skip')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Approve every approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Approve every approval gate without asking (also GANTRY_APPROVE=1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;logs' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Only the actions that failed or timed out')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Print lines as they are written, until the run ends (default run: the newest, also while it is still running)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;schema' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (on terminals; NO_COLOR, CLICOLOR_FORCE honoured), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'gantry;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a gantry.yml that fits this repository (and, with --appspec, an appspec.yml)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the pipeline: every stage, or the named ones')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Run the pipeline again whenever an input file changes')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the stages and actions as a tree')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Draw the pipeline: stages, parallel groups, gates')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check appspec.yml files and gantry.yml for mistakes')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Carry out a CodeDeploy in-place deployment on local instances')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install, remove or inspect the git pre-push hook')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Manage the action cache')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent runs: id, start time, commit, status, duration')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Re-run what failed, timed out, was interrupted or skipped in a run (the latest by default)')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print the logs of a run (the latest by default), or follow a run in progress')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the pipeline as another CI engine''s configuration')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of gantry.yml (for editors)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;help;init' {
            break
        }
        'gantry;help;run' {
            break
        }
        'gantry;help;watch' {
            break
        }
        'gantry;help;list' {
            break
        }
        'gantry;help;graph' {
            break
        }
        'gantry;help;validate' {
            break
        }
        'gantry;help;deploy' {
            break
        }
        'gantry;help;hook' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the pre-push hook (an existing hook is chained, never overwritten)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove gantry''s pre-push hook and restore a chained one')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Say which pre-push hook is installed, and where')
            [CompletionResult]::new('pre-push', 'pre-push', [CompletionResultType]::ParameterValue, 'Run by the installed hook: check every pushed commit')
            break
        }
        'gantry;help;hook;install' {
            break
        }
        'gantry;help;hook;uninstall' {
            break
        }
        'gantry;help;hook;status' {
            break
        }
        'gantry;help;hook;pre-push' {
            break
        }
        'gantry;help;cache' {
            [CompletionResult]::new('clean', 'clean', [CompletionResultType]::ParameterValue, 'Delete every cache entry: the next run runs everything')
            break
        }
        'gantry;help;cache;clean' {
            break
        }
        'gantry;help;history' {
            break
        }
        'gantry;help;retry' {
            break
        }
        'gantry;help;logs' {
            break
        }
        'gantry;help;export' {
            break
        }
        'gantry;help;schema' {
            break
        }
        'gantry;help;completions' {
            break
        }
        'gantry;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
