//! Standard output for the commands' results. `vigie … | head` closes the
//! pipe early: that ends the command quietly instead of panicking as
//! `println!` does.

use std::io::Write;

/// Writes to stdout; a reader that went away ends the process quietly.
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("vigie: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// `println!` to [`write`].
macro_rules! outln {
    () => {
        $crate::cmd_store::out::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cmd_store::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` to [`write`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cmd_store::out::write(format_args!($($arg)*))
    };
}

pub(crate) use {out, outln};
