//! A one-line text field with the keys people expect from a shell: the cursor moves, the
//! old value starts selected (typing replaces it, an arrow keeps it), Ctrl-U clears up to the
//! cursor, Ctrl-K to the end, Ctrl-W the word before the cursor, Ctrl-A / Ctrl-E go to the ends.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// A byte offset on a character boundary.
    cursor: usize,
    /// The whole text is selected: the next character typed replaces it.
    selected: bool,
}

impl LineEdit {
    /// A field holding an earlier value, selected.
    pub fn with_value(value: impl Into<String>) -> LineEdit {
        let text = value.into();
        LineEdit {
            cursor: text.len(),
            selected: !text.is_empty(),
            text,
        }
    }

    /// A field where `typed` was just typed (not selected).
    pub fn typed(typed: impl Into<String>) -> LineEdit {
        let text = typed.into();
        LineEdit {
            cursor: text.len(),
            selected: false,
            text,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_selected(&self) -> bool {
        self.selected
    }

    /// The text before and after the cursor.
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.cursor)
    }

    fn prev_boundary(&self, from: usize) -> usize {
        self.text[..from]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self, from: usize) -> usize {
        self.text[from..]
            .chars()
            .next()
            .map_or(from, |c| from + c.len_utf8())
    }

    /// Applies a key; false when the key is not an editing key (Enter, Esc, Tab...).
    pub fn key(&mut self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let was_selected = std::mem::replace(&mut self.selected, false);
        match event.code {
            KeyCode::Char(c) if ctrl => match c {
                'a' => self.cursor = 0,
                'e' => self.cursor = self.text.len(),
                'u' => {
                    self.text.replace_range(..self.cursor, "");
                    self.cursor = 0;
                }
                'k' => self.text.truncate(self.cursor),
                'w' => {
                    let before = &self.text[..self.cursor];
                    let trimmed = before.trim_end();
                    let start = trimmed
                        .char_indices()
                        .rev()
                        .find(|(_, c)| c.is_whitespace())
                        .map_or(0, |(i, c)| i + c.len_utf8());
                    self.text.replace_range(start..self.cursor, "");
                    self.cursor = start;
                }
                _ => {
                    self.selected = was_selected;
                    return false;
                }
            },
            KeyCode::Char(c) => {
                if was_selected {
                    self.text.clear();
                    self.cursor = 0;
                }
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
            }
            KeyCode::Backspace => {
                if was_selected {
                    self.text.clear();
                    self.cursor = 0;
                } else if self.cursor > 0 {
                    let start = self.prev_boundary(self.cursor);
                    self.text.replace_range(start..self.cursor, "");
                    self.cursor = start;
                }
            }
            KeyCode::Delete => {
                if was_selected {
                    self.text.clear();
                    self.cursor = 0;
                } else if self.cursor < self.text.len() {
                    let end = self.next_boundary(self.cursor);
                    self.text.replace_range(self.cursor..end, "");
                }
            }
            KeyCode::Left => self.cursor = self.prev_boundary(self.cursor),
            KeyCode::Right => self.cursor = self.next_boundary(self.cursor),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.len(),
            _ => {
                self.selected = was_selected;
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(edit: &mut LineEdit, code: KeyCode) {
        edit.key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn ctrl(edit: &mut LineEdit, c: char) {
        edit.key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    fn type_text(edit: &mut LineEdit, text: &str) {
        for c in text.chars() {
            press(edit, KeyCode::Char(c));
        }
    }

    /// Issue 14: `80000000` then `80` gave `8000000080`.
    #[test]
    fn typing_over_an_old_value_replaces_it() {
        let mut edit = LineEdit::with_value("80000000");
        type_text(&mut edit, "80");
        assert_eq!(edit.text(), "80");
    }

    #[test]
    fn an_arrow_keeps_the_old_value_to_edit_it() {
        let mut edit = LineEdit::with_value("80000000");
        press(&mut edit, KeyCode::End);
        press(&mut edit, KeyCode::Backspace);
        assert_eq!(edit.text(), "8000000");
        press(&mut edit, KeyCode::Home);
        type_text(&mut edit, "1");
        assert_eq!(edit.text(), "18000000");
    }

    #[test]
    fn readline_keys() {
        let mut edit = LineEdit::typed("Contrat signé le 3 mars");
        ctrl(&mut edit, 'w');
        assert_eq!(edit.text(), "Contrat signé le 3 ");
        press(&mut edit, KeyCode::Left);
        press(&mut edit, KeyCode::Left);
        ctrl(&mut edit, 'k');
        assert_eq!(edit.text(), "Contrat signé le ");
        ctrl(&mut edit, 'a');
        press(&mut edit, KeyCode::Delete);
        assert_eq!(edit.text(), "ontrat signé le ");
        ctrl(&mut edit, 'e');
        for _ in 0..4 {
            press(&mut edit, KeyCode::Left);
        }
        ctrl(&mut edit, 'u');
        assert_eq!(edit.text(), " le ");
        type_text(&mut edit, "é");
        press(&mut edit, KeyCode::Backspace);
        assert_eq!(
            edit.text(),
            " le ",
            "a multi-byte character is removed whole"
        );
    }

    #[test]
    fn ctrl_u_clears_a_selected_value() {
        let mut edit = LineEdit::with_value("2026-03-01");
        ctrl(&mut edit, 'u');
        assert_eq!(edit.text(), "");
    }
}
