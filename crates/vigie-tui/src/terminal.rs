//! The terminal, always given back as it was: a guard whose `Drop` undoes
//! every mode it set, a panic hook that restores the terminal before the
//! panic message is printed, and SIGHUP/SIGTERM turned into a normal quit
//! (every answer is already committed when given, so quitting loses nothing).

use std::io::{self, Stdout, Write};
use std::sync::mpsc::Sender;

use crossterm::event::Event;
use crossterm::{cursor, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::Msg;

/// Puts the terminal in raw mode on the alternate screen; undoes it on drop.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<CountingWriter>>,
}

/// Counts bytes written to the terminal (for the benchmark and a test that
/// checks a keystroke does not redraw the whole screen).
pub struct CountingWriter {
    inner: Stdout,
    pub written: u64,
}

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Restores the terminal; safe to call more than once.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(out, terminal::LeaveAlternateScreen, cursor::Show);
    let _ = out.flush();
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        terminal::enable_raw_mode()?;
        let mut out = io::stdout();
        if let Err(e) = execute!(out, terminal::EnterAlternateScreen, cursor::Hide) {
            restore();
            return Err(e);
        }
        let backend = CrosstermBackend::new(CountingWriter {
            inner: out,
            written: 0,
        });
        match Terminal::new(backend) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal first, then lets the previous hook print the panic.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Forwards terminal input to the event loop from a thread of its own.
pub fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            match crossterm::event::read() {
                Ok(Event::Key(key)) if key.kind != crossterm::event::KeyEventKind::Release => {
                    if tx.send(Msg::Key(key)).is_err() {
                        break;
                    }
                }
                Ok(Event::Resize(..)) => {
                    if tx.send(Msg::Resize).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => {
                    // The terminal is gone (SSH link dropped): quit cleanly.
                    let _ = tx.send(Msg::Signal(signal_hook::consts::SIGHUP));
                    break;
                }
            }
        }
    });
}

/// Turns SIGHUP, SIGTERM and SIGINT into `Msg::Signal`.
pub fn spawn_signals(tx: Sender<Msg>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if tx.send(Msg::Signal(signal)).is_err() {
                break;
            }
        }
    });
    Ok(())
}
