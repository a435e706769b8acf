
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
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run the pipeline: every stage, or the named ones'
            cand list 'Print the stages and actions as a tree'
            cand validate 'Check appspec.yml files and gantry.yml for mistakes'
            cand completions 'Print a shell completion script'
            cand deploy 'Carry out a CodeDeploy in-place deployment on local instances'
            cand help 'Print this message or the help of the given subcommand(s)'
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
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
            cand --dry-run 'Print the plan with every variable expanded; run nothing'
            cand --keep-going 'Go on with later stages after a stage failed'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;list'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
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
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;completions'= {
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
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
            cand --output 'How to print the summary on stdout'
            cand -C 'Work in DIR, as if gantry had been started there'
            cand --directory 'Work in DIR, as if gantry had been started there'
            cand -f 'Use this config file instead of looking for gantry.yml upward'
            cand --file 'Use this config file instead of looking for gantry.yml upward'
            cand --color 'When to use colours (NO_COLOR and CLICOLOR_FORCE are honoured with auto)'
            cand --rollback 'Redeploy the group''s previous successful revision'
            cand --no-rollback 'On failure, keep the failed state for inspection instead of rolling back'
            cand -q 'Print less: no live output, only failures and the summary'
            cand --quiet 'Print less: no live output, only failures and the summary'
            cand -v 'Print more: every output line of every action, also on a terminal'
            cand --verbose 'Print more: every output line of every action, also on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'gantry;help'= {
            cand run 'Run the pipeline: every stage, or the named ones'
            cand list 'Print the stages and actions as a tree'
            cand validate 'Check appspec.yml files and gantry.yml for mistakes'
            cand completions 'Print a shell completion script'
            cand deploy 'Carry out a CodeDeploy in-place deployment on local instances'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'gantry;help;run'= {
        }
        &'gantry;help;list'= {
        }
        &'gantry;help;validate'= {
        }
        &'gantry;help;completions'= {
        }
        &'gantry;help;deploy'= {
        }
        &'gantry;help;help'= {
        }
    ]
    $completions[$command]
}
