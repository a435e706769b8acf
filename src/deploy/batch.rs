//! Deployment configurations: how many instances must stay healthy, hence
//! how many are deployed at a time, and when a deployment must stop.

use super::config::{DeploymentConfig, Minimum};

/// The minimum number of healthy instances of a group of `n` under
/// `config`, at most `n - 1` so that one instance can always be deployed.
/// Percentages are rounded up, as CodeDeploy does.
pub fn minimum_healthy(n: usize, config: DeploymentConfig) -> usize {
    let wanted = match config {
        DeploymentConfig::AllAtOnce => 0,
        DeploymentConfig::HalfAtATime => n.div_ceil(2),
        DeploymentConfig::OneAtATime => n.saturating_sub(1),
        DeploymentConfig::MinimumHealthy(Minimum::Count(c)) => c as usize,
        DeploymentConfig::MinimumHealthy(Minimum::Percent(p)) => (n * p as usize).div_ceil(100),
    };
    wanted.min(n.saturating_sub(1))
}

/// The instance indices `0..n` in batches, in order: each batch takes as
/// many instances offline as the minimum allows.
pub fn batches(n: usize, config: DeploymentConfig) -> Vec<Vec<usize>> {
    let size = (n - minimum_healthy(n, config)).max(1);
    (0..n)
        .collect::<Vec<_>>()
        .chunks(size)
        .map(<[usize]>::to_vec)
        .collect()
}

/// Whether the next batch of `next` instances may start with `failed` of
/// `n` failed: failed instances and the batch being deployed do not count
/// as healthy, and what remains must still reach the minimum.
pub fn minimum_still_met(n: usize, failed: usize, next: usize, config: DeploymentConfig) -> bool {
    n.saturating_sub(failed + next) >= minimum_healthy(n, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeploymentConfig::*;

    #[test]
    fn batch_sizes_follow_the_configuration() {
        assert_eq!(batches(4, AllAtOnce), vec![vec![0, 1, 2, 3]]);
        assert_eq!(batches(4, HalfAtATime), vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(batches(3, HalfAtATime), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(batches(2, OneAtATime), vec![vec![0], vec![1]]);
        assert_eq!(batches(1, HalfAtATime), vec![vec![0]]);
        let custom = MinimumHealthy(Minimum::Count(1));
        assert_eq!(batches(3, custom), vec![vec![0, 1], vec![2]]);
        let percent = MinimumHealthy(Minimum::Percent(75));
        assert_eq!(
            batches(4, percent),
            vec![vec![0], vec![1], vec![2], vec![3]]
        );
        let percent = MinimumHealthy(Minimum::Percent(25));
        assert_eq!(batches(4, percent), vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn stops_once_the_minimum_cannot_be_met() {
        assert!(minimum_still_met(3, 0, 1, OneAtATime));
        assert!(!minimum_still_met(3, 1, 1, OneAtATime));
        assert!(!minimum_still_met(4, 1, 2, HalfAtATime));
        assert!(minimum_still_met(4, 0, 2, HalfAtATime));
        let custom = MinimumHealthy(Minimum::Count(1));
        assert!(minimum_still_met(3, 1, 1, custom));
        assert!(!minimum_still_met(3, 2, 1, custom));
    }
}
