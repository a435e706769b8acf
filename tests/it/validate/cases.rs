//! Invalid AppSpec files, one finding each: (name, content, code, line).
//! Line 0 means "the file as a whole". Rule numbers refer to appspec-rules.md.

/// An EC2/On-Premises file: `version` on line 1, `os: linux` on line 2.
macro_rules! linux {
    ($rest:expr) => {
        concat!("version: 0.0\nos: linux\n", $rest)
    };
}

/// An ECS file whose `Properties` start on line 6 (TaskDefinition) and whose
/// `LoadBalancerInfo` is on lines 7-9; `$rest` starts on line 10.
macro_rules! ecs {
    ($rest:expr) => {
        concat!(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n",
            "        TaskDefinition: \"arn:aws:ecs:us-east-1:111222333444:task-definition/app:1\"\n",
            "        LoadBalancerInfo:\n          ContainerName: \"web\"\n          ContainerPort: 80\n",
            $rest
        )
    };
}

/// A Lambda file with all four properties on lines 6-9; `$rest` starts on line 10.
macro_rules! lambda {
    ($rest:expr) => {
        concat!(
            "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n",
            "        Name: \"fn\"\n        Alias: \"live\"\n        CurrentVersion: \"1\"\n        TargetVersion: \"2\"\n",
            $rest
        )
    };
}

/// One invalid file: a name for messages, its content, the expected code and line.
pub type Case = (&'static str, &'static str, &'static str, usize);

/// Files whose only errors carry the given code, one of them at the given line.
pub const INVALID: &[Case] = &[
    // A. file and YAML layer (rules 2-7)
    ("empty file", "", "E004", 0),
    ("only comments", "# nothing here\n\n", "E004", 0),
    ("byte-order mark", "\u{feff}version: 0.0\nos: linux\n", "E003", 1),
    ("tab indentation", linux!("files:\n\t- source: a\n"), "E005", 4),
    ("duplicate top-level key", linux!("hooks: {}\nhooks: {}\n"), "E006", 4),
    ("duplicate event", linux!("hooks:\n  BeforeInstall: []\n  BeforeInstall: []\n"), "E006", 5),
    ("unclosed flow list", "version: 0.0\nos: [linux\n", "E005", 2),
    ("two documents", "version: 0.0\n---\nos: linux\n", "E005", 3),
    ("top-level list", "- version: 0.0\n", "E007", 1),
    ("top-level scalar", "hello\n", "E007", 1),
    ("unquoted date source", linux!("files:\n  - source: 2024-01-01\n    destination: /srv\n"), "E008", 4),
    ("unquoted timestamp runas", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      runas: 2024-01-01 10:00:00\n"), "E008", 6),
    ("unquoted date in except", linux!("permissions:\n  - object: /srv\n    except: [2024-01-01]\n"), "E008", 5),
    ("symbol runas", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      runas: :root\n"), "E008", 6),
    ("alias", linux!("hooks:\n  BeforeInstall:\n    - &s {location: a.sh}\n  AfterInstall:\n    - *s\n"), "E008", 7),
    // B. top level (rules 8-12)
    ("quoted version", "version: \"0.0\"\nos: linux\n", "E011", 1),
    ("version 1.0", "version: 1.0\nos: linux\n", "E011", 1),
    ("YAML 1.2 octal version", "version: 0o0\nos: linux\n", "E011", 1),
    ("no version", "os: linux\n", "E011", 1),
    ("no os", "version: 0.0\n", "E012", 1),
    ("capitalised os", "version: 0.0\nos: Linux\n", "E012", 2),
    ("misspelt section", linux!("hook:\n  BeforeInstall: []\n"), "E010", 3),
    ("server with Resources", linux!("Resources: []\n"), "E013", 3),
    // C. files (rules 13-19)
    ("files as a mapping", linux!("files:\n  source: a\n"), "E020", 4),
    ("files item as a string", linux!("files:\n  - index.html\n"), "E020", 4),
    ("files entry without destination", linux!("files:\n  - source: a\n"), "E021", 4),
    ("source outside the revision", linux!("files:\n  - source: ../secret\n    destination: /srv\n"), "E022", 4),
    ("relative destination", linux!("files:\n  - source: a\n    destination: srv/app\n"), "E024", 5),
    ("same mapping twice", linux!("files:\n  - source: a\n    destination: /srv\n  - source: ./a\n    destination: /srv/\n"), "E025", 6),
    // D. file_exists_behavior (rule 21)
    ("lower-case file_exists_behavior", linux!("file_exists_behavior: overwrite\n"), "E026", 3),
    // E. permissions (rules 28-36)
    ("permission without object", linux!("permissions:\n  - owner: app\n"), "E031", 4),
    ("permissions on windows", "version: 0.0\nos: windows\npermissions:\n  - object: C:\\app\n", "E032", 3),
    ("scalar type", linux!("permissions:\n  - object: /srv\n    type: file\n"), "E033", 5),
    ("unknown object type", linux!("permissions:\n  - object: /srv\n    type: [folder]\n"), "E033", 5),
    ("unquoted leading-zero mode", linux!("permissions:\n  - object: /srv\n    mode: 0644\n"), "E034", 5),
    ("mode with a 9", linux!("permissions:\n  - object: /srv\n    mode: 9999\n"), "E034", 5),
    ("symbolic mode", linux!("permissions:\n  - object: /srv\n    mode: rw-r--r--\n"), "E034", 5),
    ("five-digit mode", linux!("permissions:\n  - object: /srv\n    mode: \"12345\"\n"), "E034", 5),
    ("unnamed base acl", linux!("permissions:\n  - object: /srv\n    acls:\n      - u::rw\n"), "E035", 6),
    ("context without type", linux!("permissions:\n  - object: /srv\n    context:\n      name: system_u\n"), "E036", 6),
    ("context with bad range", linux!("permissions:\n  - object: /srv\n    context:\n      type: t\n      range: s0:c1024\n"), "E036", 7),
    ("except as a string", linux!("permissions:\n  - object: /srv\n    except: a.txt\n"), "E037", 5),
    // F. hooks (rules 39-47)
    ("hooks as a list", linux!("hooks:\n  - BeforeInstall: x\n"), "E040", 4),
    ("script as a string", linux!("hooks:\n  BeforeInstall:\n    - scripts/a.sh\n"), "E040", 5),
    ("misspelt event", linux!("hooks:\n  BeforInstall:\n    - location: a.sh\n"), "E041", 4),
    ("ECS event on a server", linux!("hooks:\n  AfterAllowTestTraffic:\n    - location: a.sh\n"), "E041", 4),
    ("reserved Install event", linux!("hooks:\n  Install:\n    - location: a.sh\n"), "E042", 4),
    ("script without location", linux!("hooks:\n  BeforeInstall:\n    - timeout: 30\n"), "E043", 5),
    ("empty location", linux!("hooks:\n  BeforeInstall:\n    - location: \"  \"\n"), "E043", 5),
    (
        "numeric location",
        linux!("hooks:\n  BeforeInstall:\n    - location: 5\n"),
        "E043",
        5,
    ),
    ("script outside the revision", linux!("hooks:\n  BeforeInstall:\n    - location: ../x.sh\n"), "E044", 5),
    ("zero timeout", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 0\n"), "E046", 6),
    ("timeout above an hour", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 3601\n"), "E046", 6),
    ("half-second timeout", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 0.5\n"), "E046", 6),
    ("text timeout", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: soon\n"), "E046", 6),
    ("timeouts add up past an hour", linux!("hooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 2000\n    - location: b.sh\n      timeout: 2000\n"), "E047", 4),
    ("numeric runas", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      runas: 5\n"), "E048", 6),
    ("text sudo", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      sudo: maybe\n"), "E048", 6),
    // I. ECS (rules 58-61)
    ("two ECS resources", "version: 0.0\nResources:\n  - TargetService: {Type: AWS::ECS::Service}\n  - TargetService: {Type: AWS::ECS::Service}\n", "E050", 3),
    ("wrong ECS type", "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Cluster\n      Properties:\n        TaskDefinition: \"arn:aws:ecs:us-east-1:111222333444:task-definition/app:1\"\n        LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}\n", "E051", 4),
    ("task definition name", "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: my-task\n        LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}\n", "E052", 6),
    ("quoted container port", "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n        TaskDefinition: \"arn:aws:ecs:us-east-1:111222333444:task-definition/app:1\"\n        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: \"80\"\n", "E053", 9),
    ("numeric platform version", ecs!("        PlatformVersion: 1.4\n"), "E054", 10),
    ("partial awsvpc configuration", ecs!("        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: [subnet-1]\n            AssignPublicIp: ENABLED\n"), "E055", 12),
    ("boolean AssignPublicIp", ecs!("        NetworkConfiguration:\n          AwsvpcConfiguration:\n            Subnets: [subnet-1]\n            SecurityGroups: [sg-1]\n            AssignPublicIp: yes\n"), "E055", 14),
    ("two capacity bases", ecs!("        CapacityProviderStrategy:\n          - {Base: 1, CapacityProvider: A, Weight: 1}\n          - {Base: 2, CapacityProvider: B, Weight: 1}\n"), "E056", 11),
    ("unknown ECS property", ecs!("        DesiredCount: 2\n"), "E057", 10),
    ("ECS file with files", ecs!("files:\n  - source: a\n    destination: /srv\n"), "E013", 10),
    ("ECS hooks as a mapping", ecs!("Hooks:\n  BeforeInstall: fn\n"), "E060", 11),
    ("misspelt ECS hook", ecs!("Hooks:\n  - BeforeInstal: fn\n"), "E061", 11),
    ("ECS hook twice", ecs!("Hooks:\n  - AfterInstall: fn\n  - AfterInstall: fn2\n"), "E062", 12),
    // J. Lambda (rules 62-63)
    ("two Lambda resources", "version: 0.0\nResources:\n  - a: {Type: AWS::Lambda::Function}\n  - b: {Type: AWS::Lambda::Function}\n", "E070", 3),
    ("misspelt Lambda type", "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Functon\n      Properties: {Name: fn, Alias: live, CurrentVersion: 1, TargetVersion: 2}\n", "E071", 4),
    ("Lambda without Alias", "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: fn\n        CurrentVersion: 1\n        TargetVersion: 2\n", "E072", 6),
    ("$LATEST as a version", "version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: fn\n        Alias: live\n        CurrentVersion: $LATEST\n        TargetVersion: 2\n", "E073", 8),
    ("unknown Lambda property", lambda!("        Runtime: python3.12\n"), "E074", 10),
    ("server hook in a Lambda file", lambda!("Hooks:\n  - BeforeInstall: fn\n"), "E061", 11),
];

/// Files with only warnings (exit code 0): (name, content, code, line).
pub const WARNINGS: &[Case] = &[
    ("except entry with a slash", linux!("permissions:\n  - object: /srv\n    except: [a/b]\n"), "W001", 5),
    ("relative object", linux!("permissions:\n  - object: srv/app\n"), "W005", 4),
    ("unknown permissions key", linux!("permissions:\n  - object: /srv\n    modes: \"644\"\n"), "W006", 5),
    ("unknown files key", linux!("files:\n  - source: a\n    destination: /srv\n    mode: 644\n"), "W006", 6),
    ("unknown script key", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timout: 30\n"), "W006", 6),
    ("fractional timeout", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 1.5\n"), "W007", 6),
    ("timeout with a unit", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 300s\n"), "W007", 6),
    ("timeout in exponent form", linux!("hooks:\n  BeforeInstall:\n    - location: a.sh\n      timeout: 1e3\n"), "W007", 6),
    ("runas on windows", "version: 0.0\nos: windows\nhooks:\n  BeforeInstall:\n    - location: a.bat\n      runas: admin\n", "W004", 6),
];
