
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the pipeline: every stage, or the named ones')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the stages and actions as a tree')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check appspec.yml files and gantry.yml for mistakes')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Carry out a CodeDeploy in-place deployment on local instances')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
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
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan with every variable expanded; run nothing')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Go on with later stages after a stage failed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;list' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
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
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;completions' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
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
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'How to print the summary on stdout')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Work in DIR, as if gantry had been started there')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Use this config file instead of looking for gantry.yml upward')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)')
            [CompletionResult]::new('--rollback', '--rollback', [CompletionResultType]::ParameterName, 'Redeploy the group''s previous successful revision')
            [CompletionResult]::new('--no-rollback', '--no-rollback', [CompletionResultType]::ParameterName, 'On failure, keep the failed state for inspection instead of rolling back')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no live output, only failures and the summary')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: every output line of every action, also on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'gantry;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the pipeline: every stage, or the named ones')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the stages and actions as a tree')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check appspec.yml files and gantry.yml for mistakes')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Carry out a CodeDeploy in-place deployment on local instances')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'gantry;help;run' {
            break
        }
        'gantry;help;list' {
            break
        }
        'gantry;help;validate' {
            break
        }
        'gantry;help;completions' {
            break
        }
        'gantry;help;deploy' {
            break
        }
        'gantry;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
