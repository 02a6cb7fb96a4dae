//! `cargo xtask loops`: the import graph of a crate's modules, and its loops. Each `.rs` file is a
//! module; an arrow runs from a file to every module it names by path (`crate::a::b`, `super::x`,
//! a child module `x::`), in `use` trees and in code alike. Test modules (`#[cfg(test)] mod x;`
//! and inline `#[cfg(test)] mod tests { .. }`) are left out: tests may look anywhere.
//!
//! Written here rather than taken from a crate: what is needed is a few hundred lines of path
//! reading over our own sources, and the crates that read module graphs (cargo-modules and its
//! kin) pull in rust-analyzer whole, minutes of build on a two-core machine for one check.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The crates whose modules must form no loop (`cargo xtask test` checks them).
pub const CHECKED: [&str; 2] = ["edge", "shared"];

/// One crate's modules: each module's path (`store::layout`, "" for the root) and its file, and
/// the names each re-exports (`pub use`) with the module they come from.
struct Crate {
    files: BTreeMap<String, PathBuf>,
    reexports: BTreeMap<(String, String), String>,
}

/// Fails when a checked crate has an import loop, naming each loop's files and arrows.
pub fn check(root: &Path) -> Result<()> {
    let mut found = Vec::new();
    for name in CHECKED {
        let graph = graph(&root.join(name).join("src"))?;
        for circle in circles(&graph) {
            found.push(describe(name, &circle, &graph));
        }
    }
    if !found.is_empty() {
        bail!("import loops:\n{}", found.join("\n"));
    }
    println!("no import loop in {}", CHECKED.join(", "));
    Ok(())
}

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The arrows between a crate's modules (`src` is its source folder with `lib.rs` or `main.rs`).
fn graph(src: &Path) -> Result<Graph> {
    let mut krate = modules(src)?;
    let mut codes = BTreeMap::new();
    for (module, file) in &krate.files {
        let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        codes.insert(module.clone(), without_tests(&strip_comments(&text)));
    }
    // What each module re-exports, resolved to where it comes from (a name used through a
    // re-export depends on its own module, not on the one that passes it on).
    for (module, code) in &codes {
        let children: Vec<String> = declared(code).into_iter().map(|(name, _)| name).collect();
        for statement in code.split("pub use ").skip(1) {
            let statement = statement.split(';').next().unwrap_or_default();
            for path in paths(statement.trim(), &children) {
                let Some(name) = path.1.last().filter(|n| *n != "self").cloned() else { continue };
                if let Some(target) = resolve(&krate, module, &path) {
                    krate.reexports.insert((module.clone(), name), target);
                }
            }
        }
    }
    let mut graph = Graph::new();
    for (module, code) in &codes {
        let code = code.as_str();
        let children: Vec<String> = declared(code).into_iter().map(|(name, _)| name).collect();
        let mut arrows = BTreeSet::new();
        for path in paths(code, &children) {
            let target = resolve(&krate, module, &path);
            if let Some(target) = target.filter(|t| t != module) {
                arrows.insert(target);
            }
        }
        graph.insert(module.clone(), arrows);
    }
    Ok(graph)
}

/// Every non-test module of the crate, found from its root by `mod` declarations.
fn modules(src: &Path) -> Result<Crate> {
    let root = ["lib.rs", "main.rs"].iter().map(|f| src.join(f)).find(|p| p.exists());
    let root = root.with_context(|| format!("{} has no lib.rs or main.rs", src.display()))?;
    let mut files = BTreeMap::new();
    let mut queue = vec![(String::new(), root)];
    while let Some((module, file)) = queue.pop() {
        let text = fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let dir = child_dir(&module, &file);
        for (name, test_only) in declared(&strip_comments(&text)) {
            if test_only {
                continue;
            }
            let path =
                [dir.join(format!("{name}.rs")), dir.join(&name).join("mod.rs")].into_iter().find(|p| p.exists());
            let Some(path) = path else { continue };
            let child = if module.is_empty() { name } else { format!("{module}::{name}") };
            queue.push((child, path));
        }
        files.insert(module, file);
    }
    Ok(Crate { files, reexports: BTreeMap::new() })
}

/// Where a module's children live: beside `lib.rs`/`main.rs`/`mod.rs`, else in the folder named after the file.
fn child_dir(module: &str, file: &Path) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if module.is_empty() || stem == "mod" { parent } else { parent.join(stem) }
}

/// The `mod name;` declarations of a file, and whether each is test-only (`#[cfg(test)]` above it).
fn declared(code: &str) -> Vec<(String, bool)> {
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let line = line.strip_prefix("pub ").or_else(|| line.strip_prefix("pub(crate) ")).unwrap_or(line);
        let Some(name) = line.strip_prefix("mod ").and_then(|rest| rest.strip_suffix(';')) else { continue };
        let attributes = lines[..n].iter().rev().take_while(|l| l.starts_with("#["));
        let test_only = attributes.into_iter().any(|a| a.starts_with("#[cfg(test)]"));
        out.push((name.trim().to_owned(), test_only));
    }
    out
}

/// The text without comments (line and block) and without the contents of string literals, so
/// neither a doc comment nor a message naming `crate::x` makes an arrow.
fn strip_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            (b'"', _) => {
                // A raw string (r"..", r#".."#) is read from its `r`; an ordinary one here.
                let hashes = raw_hashes(bytes, i);
                out.push_str("\"\"");
                i += 1;
                while i < bytes.len() {
                    if hashes.is_none() && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b'"' {
                        let n = hashes.unwrap_or(0);
                        if bytes[i + 1..].iter().take(n).filter(|b| **b == b'#').count() == n {
                            i += 1 + n;
                            break;
                        }
                    }
                    i += 1;
                }
            }
            (b'\'', _) if is_char_literal(bytes, i) => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("' '");
            }
            _ => {
                let len = utf8_len(bytes[i]);
                out.push_str(&text[i..i + len]);
                i += len;
            }
        }
    }
    out
}

/// For a `"` at `i`: the number of `#` of the raw string it opens (`r#"`), or `None` if not raw.
fn raw_hashes(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    let mut hashes = 0;
    while j > 0 && bytes[j - 1] == b'#' {
        hashes += 1;
        j -= 1;
    }
    let raw = j > 0 && bytes[j - 1] == b'r' && (j < 2 || !bytes[j - 2].is_ascii_alphanumeric() || bytes[j - 2] == b'b');
    raw.then_some(hashes)
}

/// Whether the `'` at `i` opens a character literal (not a lifetime such as `'a` or `'static`).
fn is_char_literal(bytes: &[u8], i: usize) -> bool {
    match (bytes.get(i + 1), bytes.get(i + 2)) {
        (Some(b'\\'), _) => true,
        (Some(_), Some(b'\'')) => true,
        (Some(c), _) if *c >= 0x80 => bytes[i + 1..].iter().take(5).any(|b| *b == b'\''),
        _ => false,
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The code without inline test modules: from a `#[cfg(test)]` (or `#[cfg(all(test, ..))]`) before
/// `mod name {` to its closing brace.
fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = ["#[cfg(test)]", "#[cfg(all(test,"].iter().filter_map(|a| rest.find(a)).min() {
        let attribute_end = rest[at..].find('\n').map_or(rest.len(), |n| at + n);
        let after = &rest[attribute_end..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") && trimmed.split('{').next().is_some_and(|head| !head.contains(';'));
        if !is_mod {
            out.push_str(&rest[..attribute_end]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        let open = after.find('{').unwrap_or(after.len());
        let mut depth = 0;
        let mut end = after.len();
        for (n, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + n + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A path as written: where it starts, and its segments.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Start {
    Crate,
    /// `super::` this many times.
    Super(usize),
    /// A child module of the file.
    Child,
}

/// Every module path the code names: `crate::...`, `super::...` and `child::...` (use trees with
/// braces expanded), as (start, segments).
fn paths(code: &str, children: &[String]) -> Vec<(Start, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == ':');
        if !boundary || !(chars[i].is_alphabetic() || chars[i] == '_') {
            i += 1;
            continue;
        }
        let word_end =
            (i..chars.len()).find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_')).unwrap_or(chars.len());
        let word: String = chars[i..word_end].iter().collect();
        let follows_path = chars.get(word_end) == Some(&':') && chars.get(word_end + 1) == Some(&':');
        let start = match word.as_str() {
            "crate" if follows_path => Some(Start::Crate),
            "super" if follows_path => Some(Start::Super(0)),
            w if follows_path && children.iter().any(|c| c == w) => Some(Start::Child),
            _ => None,
        };
        let Some(mut start) = start else {
            i = word_end;
            continue;
        };
        let mut j = word_end + 2;
        let mut prefix = Vec::new();
        if start == Start::Child {
            prefix.push(word);
        } else if let Start::Super(n) = &mut start {
            *n = 1;
            while chars[j..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
                *n += 1;
                j += 7;
            }
        }
        let mut trees = Vec::new();
        j = tree(&chars, j, prefix, &mut trees);
        out.extend(trees.into_iter().map(|segments| (start, segments)));
        i = j.max(word_end);
    }
    out
}

/// Reads a path or use tree from `i` (after a `::`), pushing each full path onto `out`; returns
/// where it ended.
fn tree(chars: &[char], mut i: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if chars.get(i) == Some(&'{') {
            i += 1;
            loop {
                i = tree(chars, i, prefix.clone(), out);
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                match chars.get(i) {
                    Some('}') => return i + 1,
                    None => return i,
                    _ => {}
                }
            }
        }
        let end = (i..chars.len()).find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_')).unwrap_or(chars.len());
        if end == i {
            out.push(prefix);
            return i;
        }
        prefix.push(chars[i..end].iter().collect());
        i = end;
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            out.push(prefix);
            return i;
        }
    }
}

/// The deepest module of the crate a path from `module` names, if any.
fn resolve(krate: &Crate, module: &str, (start, segments): &(Start, Vec<String>)) -> Option<String> {
    let mut base: Vec<String> = match start {
        Start::Crate => Vec::new(),
        Start::Super(n) => {
            let mut parts: Vec<String> = module.split("::").filter(|p| !p.is_empty()).map(str::to_owned).collect();
            // `super` from a file module names its parent.
            for _ in 0..*n {
                parts.pop()?;
            }
            parts
        }
        Start::Child => module.split("::").filter(|p| !p.is_empty()).map(str::to_owned).collect(),
    };
    let mut found = base.join("::");
    for segment in segments {
        if segment == "self" {
            continue;
        }
        base.push(segment.clone());
        let name = base.join("::");
        if krate.files.contains_key(&name) {
            found = name;
        } else {
            if let Some(from) = krate.reexports.get(&(found.clone(), segment.clone())) {
                found = from.clone();
            }
            break;
        }
    }
    krate.files.contains_key(&found).then_some(found)
}

/// The strongly connected groups of more than one module (Tarjan's algorithm).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        w.index.insert(v, w.next);
        w.low.insert(v, w.next);
        w.next += 1;
        w.stack.push(v);
        w.on_stack.insert(v);
        let graph = w.graph;
        for u in graph.get(v).into_iter().flatten() {
            let u = u.as_str();
            if !w.index.contains_key(u) {
                visit(w, u);
                let low = w.low[v].min(w.low[u]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(u) {
                let low = w.low[v].min(w.index[u]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(u) = w.stack.pop() {
                w.on_stack.remove(u);
                group.push(u.to_owned());
                if u == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                w.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            visit(&mut walk, v);
        }
    }
    walk.found
}

fn describe(krate: &str, circle: &[String], graph: &Graph) -> String {
    let name = |m: &str| if m.is_empty() { "(root)".to_owned() } else { m.to_owned() };
    let mut lines = vec![format!("  {krate}: {}", circle.iter().map(|m| name(m)).collect::<Vec<_>>().join(", "))];
    for from in circle {
        for to in graph.get(from).into_iter().flatten().filter(|t| circle.contains(t)) {
            lines.push(format!("    {} -> {}", name(from), name(to)));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }

    fn loops_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
        let dir = std::env::temp_dir().join(format!("sitrep-loops-{}-{}", std::process::id(), files.len()));
        let _ = fs::remove_dir_all(&dir);
        write(&dir, files);
        let found = circles(&graph(&dir).unwrap());
        fs::remove_dir_all(&dir).unwrap();
        found
    }

    #[test]
    fn sees_the_loops_of_use_trees_super_and_children_and_nothing_else() {
        let found = loops_of(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\n#[cfg(test)]\nmod t;\n"),
            ("a.rs", "use crate::{b::{self, X}, c};\n/// crate::nothing\nfn f() { let s = \"crate::c::Y\"; }\n"),
            ("b.rs", "pub struct X;\nfn g() -> crate::a::Z { todo!() }\n"),
            ("c.rs", "#[cfg(test)]\nmod tests {\n    use crate::a;\n}\n"),
            ("t.rs", "use crate::a;\n"),
        ]);
        assert_eq!(found, [vec!["a".to_owned(), "b".to_owned()]]);
        let found = loops_of(&[
            ("lib.rs", "mod store;\n"),
            ("store/mod.rs", "mod object;\nmod write;\npub use object::PageStore;\n"),
            ("store/object.rs", "pub struct PageStore;\n"),
            ("store/write.rs", "use super::object::PageStore;\nimpl PageStore { fn w(&self) {} }\n"),
        ]);
        assert!(found.is_empty(), "{found:?}");
        let found = loops_of(&[
            ("lib.rs", "mod store;\n"),
            ("store/mod.rs", "mod write;\npub struct PageStore;\nfn f() { write::go() }\n"),
            ("store/write.rs", "use super::PageStore;\npub fn go() {}\n"),
        ]);
        assert_eq!(found, [vec!["store".to_owned(), "store::write".to_owned()]]);
        // A name used through the root's re-export depends on its own module.
        let found = loops_of(&[
            ("lib.rs", "mod a;\nmod b;\npub use a::A;\npub use b::B;\n"),
            ("a.rs", "pub struct A;\n"),
            ("b.rs", "use crate::A;\npub struct B;\n"),
            ("c.rs", ""),
            ("d.rs", ""),
            ("e.rs", ""),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }
}
