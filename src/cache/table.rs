//! The stat table: the content id of every file the cache read, with the
//! stat data it had, kept between runs in `.gantry/cache/stat-*.tsv` so a
//! no-op re-run reads no file that git's index does not already vouch for.
//! One line per file: `id size mtime_s mtime_ns ctime_s ctime_ns ino exec path`,
//! tab-separated; an unreadable table is simply empty.

use std::fmt::Write;
use std::path::Path;

use foldhash::HashMap;

use super::files::ContentId;
use super::stat::FileStat;

/// Path → the content id read with that stat data.
pub type Table = HashMap<String, (FileStat, ContentId)>;

/// Reads the table at `path` (empty when it is missing or unreadable).
pub fn load(path: &Path) -> Table {
    let Some(text) = crate::fsutil::read_limited(path, super::store::MAX_READ)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return Table::default();
    };
    text.lines().filter_map(parse).collect()
}

fn parse(line: &str) -> Option<(String, (FileStat, ContentId))> {
    let mut fields = line.splitn(9, '\t');
    let id = ContentId::parse(fields.next()?)?;
    let mut number = || fields.next()?.parse::<i64>().ok();
    let size = number()? as u64;
    let mtime = (number()?, number()? as u32);
    let ctime = (number()?, number()? as u32);
    let ino = number()? as u64;
    let exec = number()? == 1;
    // The ninth field is the rest of the line: a path may hold tabs.
    let path = fields.next()?;
    let stat = FileStat {
        size,
        mtime,
        ctime,
        ino,
        exec,
    };
    Some((path.to_string(), (stat, id)))
}

/// Writes `ids` to `path` atomically.
pub fn save(path: &Path, ids: &Table) -> std::io::Result<()> {
    let mut text = String::with_capacity(ids.len() * 100);
    for (file, (s, id)) in ids {
        if file.contains('\n') {
            continue;
        }
        let _ = writeln!(
            text,
            "{id}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{file}",
            s.size,
            s.mtime.0,
            s.mtime.1,
            s.ctime.0,
            s.ctime.1,
            s.ino,
            u8::from(s.exec)
        );
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::fsutil::write_atomic(path, text.as_bytes(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stat.tsv");
        let stat = FileStat {
            size: 12,
            mtime: (1_700_000_000, 5),
            ctime: (1_700_000_001, 6),
            ino: 77,
            exec: true,
        };
        let id = ContentId::parse("0123456789abcdef0123456789abcdef01234567+x").unwrap();
        let link = ContentId::parse("link:../a b").unwrap();
        let ids = Table::from_iter([
            ("a b/\tc.rs".to_string(), (stat, id)),
            ("l".to_string(), (stat, link)),
        ]);
        save(&path, &ids).unwrap();
        assert_eq!(load(&path), ids);
    }
}
