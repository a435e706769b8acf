//! Git's blob id of a file's content, hashed from a file already open (one
//! open, no second look-up of the path that could find another file).

use std::io::Read;

/// The blob id git gives the content of `file`: SHA-1 of `blob <size>\0`
/// and the content. An error when it cannot be read, or its size changed
/// while it was read.
pub fn blob_id(mut file: &std::fs::File) -> std::io::Result<String> {
    let size = file.metadata()?.len();
    let mut sha = sha1_smol::Sha1::new();
    sha.update(format!("blob {size}\0").as_bytes());
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        read += n as u64;
        sha.update(&buf[..n]);
    }
    if read != size {
        return Err(std::io::Error::other("the file changed while it was read"));
    }
    Ok(sha.digest().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_id_git_gives() {
        let dir = tempfile::tempdir().unwrap();
        for content in [&b""[..], b"hello\n", &vec![7u8; 200_000]] {
            let path = dir.path().join("f");
            std::fs::write(&path, content).unwrap();
            let want = git2::Oid::hash_object(git2::ObjectType::Blob, content).unwrap();
            let file = std::fs::File::open(&path).unwrap();
            assert_eq!(blob_id(&file).unwrap(), want.to_string());
        }
    }
}
