//! Deployment configurations: how many instances must stay healthy, hence
//! how many are deployed at a time, and when a deployment must stop.

use crate::config::deploy::{DeploymentConfig, Minimum};

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

    /// The sizes of the batches of `n` instances.
    fn sizes(n: usize, config: DeploymentConfig) -> Vec<usize> {
        batches(n, config).iter().map(Vec::len).collect()
    }

    /// CodeDeploy's documented rules (MinimumHealthyHosts, API reference):
    /// HalfAtATime deploys "up to half of the instances at a time (with
    /// fractions rounded down)"; a HOST_COUNT of 6 of 9 deploys up to 3 at a
    /// time; a FLEET_PERCENT of 40 of 9 deploys up to 5 at a time (the
    /// minimum, 3.6, rounded up to 4); OneAtATime deploys one at a time; a
    /// group of one is always deployable.
    #[test]
    fn batches_follow_codedeploys_documented_rules_at_fleet_scale() {
        for (n, half) in [
            (1, 1),
            (2, 1),
            (3, 1),
            (10, 5),
            (1_000, 500),
            (10_000, 5_000),
        ] {
            let got = sizes(n, HalfAtATime);
            assert!(got.iter().all(|&s| s <= half), "{n}: {got:?}");
            assert_eq!(got[0], half, "HalfAtATime of {n}");
            assert_eq!(got.iter().sum::<usize>(), n);
            assert_eq!(got.len(), n.div_ceil(half));
            assert_eq!(sizes(n, OneAtATime), vec![1; n], "OneAtATime of {n}");
            assert_eq!(sizes(n, AllAtOnce), vec![n], "AllAtOnce of {n}");
        }
        assert_eq!(sizes(9, MinimumHealthy(Minimum::Count(6))), vec![3, 3, 3]);
        assert_eq!(sizes(9, MinimumHealthy(Minimum::Percent(40))), vec![5, 4]);
        assert_eq!(minimum_healthy(9, MinimumHealthy(Minimum::Percent(40))), 4);
        for (n, count, per_batch) in [
            (1, 0, 1),
            (2, 1, 1),
            (3, 1, 2),
            (10, 7, 3),
            (1_000, 900, 100),
            (10_000, 9_999, 1),
        ] {
            let got = sizes(n, MinimumHealthy(Minimum::Count(count)));
            assert_eq!(got[0], per_batch, "count {count} of {n}: {got:?}");
            assert_eq!(got.iter().sum::<usize>(), n);
        }
        for (n, percent, per_batch) in [
            (1, 50, 1),
            (2, 50, 1),
            (3, 50, 1),
            (3, 10, 2),
            (10, 75, 2),
            (1_000, 95, 50),
            (1_000, 33, 670),
            (10_000, 99, 100),
            (10_000, 1, 9_900),
        ] {
            let got = sizes(n, MinimumHealthy(Minimum::Percent(percent)));
            assert_eq!(got[0], per_batch, "{percent}% of {n}: {got:?}");
        }
    }

    #[test]
    fn the_minimum_decides_when_a_large_fleet_stops() {
        // HalfAtATime of 1,000: 500 must stay healthy.
        assert!(minimum_still_met(1_000, 0, 500, HalfAtATime));
        assert!(!minimum_still_met(1_000, 1, 500, HalfAtATime));
        // 95% of 10,000: batches of 500; 0 failures allowed before the next.
        let p95 = MinimumHealthy(Minimum::Percent(95));
        assert!(minimum_still_met(10_000, 0, 500, p95));
        assert!(!minimum_still_met(10_000, 1, 500, p95));
        assert!(minimum_still_met(10_000, 1, 499, p95));
    }
}
