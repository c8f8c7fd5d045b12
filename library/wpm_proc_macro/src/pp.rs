//! A line-breaking pretty-printer engine in the style of Oppen's algorithm, with the rules
//! rustc's `rustc_ast_pretty::pp` applies: a 78-column margin, at least 60 columns after an
//! indent, consistent and inconsistent boxes, and breaks whose size runs to the next break
//! of the same or an enclosing box.
//!
//! rustc's printer streams with a ring buffer; ours has the whole document up front, so it
//! computes every size first and prints in a second pass. Both break a line at the same
//! places: a break is taken when the text up to the next break does not fit.

const MARGIN: isize = 78;
const MIN_SPACE: isize = 60;
/// The blank space of a forced break: more than any line can hold.
const SIZE_INFINITY: isize = 0xffff;

enum Tok {
    Word(String),
    Break { blank: isize, offset: isize },
    Begin { offset: isize, consistent: bool },
    End,
}

#[derive(Clone, Copy)]
enum Frame {
    Fits,
    Broken { indent: isize, consistent: bool },
}

/// A document under construction.
#[derive(Default)]
pub(crate) struct Doc {
    toks: Vec<Tok>,
}

impl Doc {
    /// Text that is never broken.
    pub(crate) fn word(&mut self, s: impl Into<String>) {
        self.toks.push(Tok::Word(s.into()));
    }

    /// A place where the line may break: `blank` spaces if it does not, otherwise a newline
    /// and the box's indent plus `offset`.
    pub(crate) fn brk(&mut self, blank: isize, offset: isize) {
        self.toks.push(Tok::Break { blank, offset });
    }

    /// A break that is always taken.
    pub(crate) fn hardbreak(&mut self) {
        self.brk(SIZE_INFINITY, 0);
    }

    /// `brk(1, 0)`.
    pub(crate) fn space(&mut self) {
        self.brk(1, 0);
    }

    /// Opens a box indented by `offset`; in a `consistent` box either every break is taken
    /// or none is.
    pub(crate) fn begin(&mut self, offset: isize, consistent: bool) {
        self.toks.push(Tok::Begin { offset, consistent });
    }

    /// Closes the innermost box.
    pub(crate) fn end(&mut self) {
        self.toks.push(Tok::End);
    }

    /// Lays the document out.
    pub(crate) fn finish(self) -> String {
        let sizes = self.sizes();
        let mut out = String::new();
        let mut space = MARGIN;
        let mut indent: isize = 0;
        let mut pending: isize = 0;
        let mut frames: Vec<Frame> = Vec::new();
        for (tok, &size) in self.toks.iter().zip(&sizes) {
            match *tok {
                Tok::Word(ref s) => {
                    out.extend(std::iter::repeat_n(' ', pending.max(0) as usize));
                    pending = 0;
                    out.push_str(s);
                    space -= s.len() as isize;
                }
                Tok::Begin { offset, consistent } => {
                    if size > space {
                        frames.push(Frame::Broken { indent, consistent });
                        indent += offset;
                    } else {
                        frames.push(Frame::Fits);
                    }
                }
                Tok::End => {
                    if let Some(Frame::Broken { indent: outer, .. }) = frames.pop() {
                        indent = outer;
                    }
                }
                Tok::Break { blank, offset } => {
                    let top = frames.last().copied().unwrap_or(Frame::Broken { indent: 0, consistent: false });
                    let fits = match top {
                        Frame::Fits => true,
                        Frame::Broken { consistent: true, .. } => false,
                        Frame::Broken { consistent: false, .. } => size <= space,
                    };
                    if fits {
                        pending += blank;
                        space -= blank;
                    } else {
                        out.push('\n');
                        let at = indent + offset;
                        pending = at;
                        space = (MARGIN - at).max(MIN_SPACE);
                    }
                }
            }
        }
        out
    }

    /// The size of every token: a word's length; for a break or a box, the length of the
    /// text from it to the next break outside any box opened after it (or to the end).
    fn sizes(&self) -> Vec<isize> {
        let mut size = vec![0isize; self.toks.len()];
        let mut pos = vec![0isize; self.toks.len()];
        let mut total: isize = 0;
        let mut open: Vec<usize> = Vec::new();
        for (i, tok) in self.toks.iter().enumerate() {
            pos[i] = total;
            match *tok {
                Tok::Word(ref s) => {
                    size[i] = s.len() as isize;
                    total += size[i];
                }
                Tok::Begin { .. } | Tok::End => open.push(i),
                Tok::Break { blank, .. } => {
                    self.resolve(&mut open, &mut size, &pos, total);
                    open.push(i);
                    total += blank;
                }
            }
        }
        self.resolve(&mut open, &mut size, &pos, total);
        for i in open {
            size[i] = total - pos[i];
        }
        size
    }

    /// Settles the sizes that the text up to `total` decides: walking back, closed boxes and
    /// their breaks, up to and including the nearest break of the current box.
    fn resolve(&self, open: &mut Vec<usize>, size: &mut [isize], pos: &[isize], total: isize) {
        let mut depth = 0usize;
        while let Some(&i) = open.last() {
            match self.toks[i] {
                Tok::Begin { .. } => {
                    if depth == 0 {
                        break;
                    }
                    open.pop();
                    size[i] = total - pos[i];
                    depth -= 1;
                }
                Tok::End => {
                    open.pop();
                    size[i] = 1;
                    depth += 1;
                }
                Tok::Break { .. } | Tok::Word(_) => {
                    open.pop();
                    size[i] = total - pos[i];
                    if depth == 0 {
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(doc: &mut Doc, n: usize, w: &str) {
        for i in 0..n {
            if i > 0 {
                doc.space();
            }
            doc.word(w);
        }
    }

    #[test]
    fn short_text_stays_on_one_line() {
        let mut d = Doc::default();
        words(&mut d, 5, "abc");
        assert_eq!(d.finish(), "abc abc abc abc abc");
    }

    #[test]
    fn top_level_breaks_fill_lines_to_the_margin() {
        let mut d = Doc::default();
        words(&mut d, 30, "abcdefghi"); // 10 columns each with the space
        let out = d.finish();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out}");
        assert!(lines.iter().all(|l| l.len() <= 78), "{out}");
        // Inconsistent breaking fills each line: 7 words of 9 chars + 6 spaces = 69 <= 78,
        // an eighth would make 79.
        assert_eq!(lines[0].split(' ').count(), 7, "{out}");
    }

    #[test]
    fn consistent_box_breaks_everywhere_and_dedents_the_close() {
        let mut d = Doc::default();
        d.begin(4, true);
        d.word("{");
        d.space();
        d.begin(0, false);
        words(&mut d, 12, "abcdefgh");
        d.end();
        d.brk(1, -4);
        d.word("}");
        d.end();
        let out = d.finish();
        assert!(out.starts_with("{\n    abcdefgh abcdefgh"), "{out}");
        assert!(out.ends_with("abcdefgh\n}"), "{out}");
    }
}
