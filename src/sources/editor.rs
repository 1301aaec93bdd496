//! The command that opens a file at a line in the user's editor. A template such as
//! `code -g {file}:{line}:{column}` wins; otherwise `$VISUAL`, then `$EDITOR`, with
//! `+LINE FILE` (what vi, vim, nano, emacs, micro and helix understand).

use std::path::Path;

/// The argv to run (the program first). `env` reads environment variables (tests pass
/// their own). The template and the variables are split as a shell would split words.
pub fn editor_command(
    template: Option<&str>,
    file: &Path,
    line: u32,
    column: u32,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let file = file.display().to_string();
    if let Some(t) = template.map(str::trim).filter(|t| !t.is_empty()) {
        let words =
            shlex::split(t).ok_or_else(|| format!("editor command `{t}` has unbalanced quotes"))?;
        if words.is_empty() {
            return Err("the editor command is empty".into());
        }
        return Ok(words
            .into_iter()
            .map(|w| {
                w.replace("{file}", &file)
                    .replace("{line}", &line.to_string())
                    .replace("{column}", &column.to_string())
            })
            .collect());
    }
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| env(v).filter(|e| !e.trim().is_empty()))
        .ok_or_else(|| {
            "no editor: set $VISUAL or $EDITOR, or an editor command such as \
             `code -g {file}:{line}:{column}`"
                .to_string()
        })?;
    let mut words =
        shlex::split(&editor).ok_or_else(|| format!("editor `{editor}` has unbalanced quotes"))?;
    words.push(format!("+{line}"));
    words.push(file);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_template_gets_file_line_and_column() {
        let argv = editor_command(
            Some("code -g {file}:{line}:{column}"),
            Path::new("/src/my app/orders.js"),
            13,
            5,
            &env(&[("EDITOR", "vim")]),
        )
        .unwrap();
        assert_eq!(argv, ["code", "-g", "/src/my app/orders.js:13:5"]);
    }

    #[test]
    fn visual_then_editor_with_plus_line() {
        let f = Path::new("/a.js");
        let both = env(&[("VISUAL", "emacsclient -t"), ("EDITOR", "vi")]);
        assert_eq!(
            editor_command(None, f, 7, 1, &both).unwrap(),
            ["emacsclient", "-t", "+7", "/a.js"]
        );
        let editor = env(&[("VISUAL", " "), ("EDITOR", "nano")]);
        assert_eq!(
            editor_command(Some(""), f, 2, 1, &editor).unwrap(),
            ["nano", "+2", "/a.js"]
        );
        let none = env(&[]);
        assert!(
            editor_command(None, f, 1, 1, &none)
                .unwrap_err()
                .contains("$EDITOR")
        );
        assert!(editor_command(Some("code '{file}"), f, 1, 1, &none).is_err());
    }
}
