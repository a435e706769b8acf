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
complete -c gantry -n "__fish_gantry_needs_command" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_needs_command" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_needs_command" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_needs_command" -s V -l version -d 'Print version'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "run" -d 'Run the pipeline: every stage, or the named ones'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "list" -d 'Print the stages and actions as a tree'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "validate" -d 'Check appspec.yml files and gantry.yml for mistakes'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "deploy" -d 'Carry out a CodeDeploy in-place deployment on local instances'
complete -c gantry -n "__fish_gantry_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l from -d 'Start at this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l to -d 'Stop after this stage' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l skip -d 'Leave out this stage (repeatable)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -s j -l jobs -d 'Run at most N actions at once (default: as many as run_order allows)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -s e -l env -d 'Set an environment variable for every action (repeatable; wins over the config)' -r
complete -c gantry -n "__fish_gantry_using_subcommand run" -l output -d 'How to print the end-of-run summary on stdout' -r -f -a "human\t'Progress and a summary table for people'
json\t'The run summary as one JSON document on stdout; progress goes to stderr'"
complete -c gantry -n "__fish_gantry_using_subcommand run" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand run" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand run" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_using_subcommand run" -l dry-run -d 'Print the plan with every variable expanded; run nothing'
complete -c gantry -n "__fish_gantry_using_subcommand run" -l keep-going -d 'Go on with later stages after a stage failed'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand list" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand list" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_using_subcommand list" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l platform -d 'The compute platform, instead of detecting it from the content' -r -f -a "server\t'EC2/On-Premises'
ecs\t'Amazon ECS'
lambda\t'AWS Lambda'"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l format -d 'How to print findings' -r -f -a "human\t'Compiler-style text with the source line and a caret'
json\t'One JSON object per finding, one per line'
github\t'GitHub Actions `::error` workflow commands'"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand validate" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s g -l group -d 'The deployment group (default: the only one in gantry.yml)' -r
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l revision -d 'The revision folder (default: the group\'s `deploy:` action\'s, else the pipeline root)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l appspec -d 'The AppSpec file, at the revision\'s root (default: its appspec.yml)' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l root -d 'Deploy onto DIR as the group\'s only instance. `--root /` deploys onto this machine for real: files go to their real paths, scripts run as on a server' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l output -d 'How to print the summary on stdout' -r -f -a "human\t'Progress and a summary table for people'
json\t'The run summary as one JSON document on stdout; progress goes to stderr'"
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s C -l directory -d 'Work in DIR, as if gantry had been started there' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s f -l file -d 'Use this config file instead of looking for gantry.yml upward' -r -F
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l color -d 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)' -r -f -a "auto\t'Colour when writing to a terminal, unless NO_COLOR is set'
always\t'Always colour'
never\t'Never colour'"
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l rollback -d 'Redeploy the group\'s previous successful revision'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -l no-rollback -d 'On failure, keep the failed state for inspection instead of rolling back'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s q -l quiet -d 'Print less: no live output, only failures and the summary'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s v -l verbose -d 'Print more: every output line of every action, also on a terminal'
complete -c gantry -n "__fish_gantry_using_subcommand deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "run" -d 'Run the pipeline: every stage, or the named ones'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "list" -d 'Print the stages and actions as a tree'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "validate" -d 'Check appspec.yml files and gantry.yml for mistakes'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "completions" -d 'Print a shell completion script'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "deploy" -d 'Carry out a CodeDeploy in-place deployment on local instances'
complete -c gantry -n "__fish_gantry_using_subcommand help; and not __fish_seen_subcommand_from run list validate completions deploy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
