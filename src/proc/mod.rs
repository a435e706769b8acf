//! Running processes, the leaf of gantry's process world: supervised child
//! processes in their own process group ([`process`]), Ctrl-C and the
//! groups to stop ([`interrupt`]), how a process is started ([`spawn`]),
//! background processes left behind
//! ([`orphans`]), secret masking of streamed output ([`mask`]), and what an
//! action kind hands back ([`outcome`]). Nothing here knows about plans,
//! stages or action kinds.

pub mod interrupt;
pub mod mask;
pub mod orphans;
pub mod outcome;
pub mod process;
pub mod spawn;
