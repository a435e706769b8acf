//! Reading one YAML file of the config (`gantry.yml` or an included file)
//! into its serde type so that as many mistakes as possible are found in
//! one go. serde stops at its first error; the tolerant pass (`shape`)
//! finds the others, and when every one of them can be taken out of the
//! text (an unknown or repeated key, a duration or count serde refuses, a
//! wrong word) the file is read again without them, so that the loader's
//! own checks run on it too. gantry.yml and every included file
//! go through [`read`], so the same mistakes are reported the same way
//! wherever they are written.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value as Schema;

use crate::diagnostics::Diagnostic;

/// `text` (the file `file`) read as `T`, with the findings that do not
/// stop the loader (unknown keys serde skipped, mistakes taken out of the
/// text), or every mistake found when it cannot be read.
///
/// serde's own error is kept unless the pass found the same mistake
/// ([`Shape::covers`](super::shape::Shape::covers): where serde puts it,
/// not merely on its line): two mistakes on one line are two errors. When
/// serde refuses the text without those mistakes too, its error there
/// joins the pass's findings, unless it is at what was blanked (then it
/// comes from the blanking).
pub fn read<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    schema: &Schema,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    let err = match super::load::parse::<T>(text) {
        // Only a key serde skipped can be an unknown key: then the tolerant
        // pass locates and names them.
        Ok((value, false)) => return Ok((value, Vec::new())),
        Ok((value, true)) => {
            return Ok((
                value,
                super::shape::check_against(file, text, schema).blanked,
            ))
        }
        Err(e) => e,
    };
    let shape = super::shape::check_against(file, text, schema);
    let first = super::load::yaml_diagnostic(file, text, &err);
    if !shape.covers(&first) {
        let mut all = shape.found;
        all.push(first);
        return Err(all);
    }
    let Some(cleaned) = shape.without_mistakes(text) else {
        return Err(shape.found);
    };
    // The pass took out every key serde would skip: none is left to report.
    match super::load::parse::<T>(&cleaned) {
        Ok((value, _)) => Ok((value, shape.blanked)),
        Err(e) => {
            let second = super::load::yaml_diagnostic(file, &cleaned, &e);
            if shape.by_blanked(&cleaned, second.line, second.column) {
                return Err(shape.found);
            }
            Err(shape.with(second))
        }
    }
}
