//! `clawkit completions SHELL` and `clawkit man`: generated from the clap definitions, so
//! they never drift from the commands.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use clap::CommandFactory;
use clawkit_core::error::{Error, Result};
use std::io::Write;

pub fn script(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<ExitStatus> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "clawkit", out);
    Ok(ExitStatus::Success)
}

pub fn man(out: &mut dyn Write) -> Result<ExitStatus> {
    clap_mangen::Man::new(Cli::command())
        .render(out)
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitStatus::Success)
}
