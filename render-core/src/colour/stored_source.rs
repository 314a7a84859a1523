//! Colouring again without iterating: an [`EscapeSource`] that reads a render's stored escape
//! data (`encode::EscapesReader`) instead of computing it, so a palette, mapping or offset change
//! runs the ordinary pipeline (colour, encode, progress) on samples that already exist.

use std::io::{self, Read};

use crate::band::Band;
use crate::encode::EscapesReader;
use crate::escape::EscapeSample;
use crate::params::RenderParams;
use crate::source::EscapeSource;
use crate::stop::StopFlag;

/// Why stored escape data could not be read back for a render.
#[derive(Debug, thiserror::Error)]
pub enum StoredEscapesError {
    #[error("reading the stored escape data failed: {0}")]
    Io(#[from] io::Error),
    #[error(
        "the stored escape data holds {stored_rows}×{stored_cols} samples, the render needs {rows}×{cols}"
    )]
    Shape {
        stored_rows: u32,
        stored_cols: u32,
        rows: u32,
        cols: u32,
    },
}

/// Samples read back from stored escape data. `open` yields a fresh reader from the start of the
/// data; it is called again whenever a band is asked for out of order (an image-wide mapping's
/// second pass), so nothing beyond one band is held in memory.
pub struct StoredEscapes<R: Read, F: FnMut() -> io::Result<R>> {
    open: F,
    reader: Option<EscapesReader<R>>,
    /// The sample row the reader is at.
    next_row: u64,
    skip: Vec<EscapeSample>,
}

impl<R: Read, F: FnMut() -> io::Result<R>> StoredEscapes<R, F> {
    pub fn new(open: F) -> Self {
        Self {
            open,
            reader: None,
            next_row: 0,
            skip: Vec::new(),
        }
    }

    fn reader_at(
        &mut self,
        params: &RenderParams,
        row: u64,
    ) -> Result<&mut EscapesReader<R>, StoredEscapesError> {
        let ss = params.supersample;
        let (rows, cols) = (params.height * ss, params.width * ss);
        if self.reader.is_none() || self.next_row > row {
            let reader = EscapesReader::new((self.open)()?)?;
            let (stored_rows, stored_cols) = reader.shape();
            if (stored_rows, stored_cols) != (rows, cols) {
                return Err(StoredEscapesError::Shape {
                    stored_rows,
                    stored_cols,
                    rows,
                    cols,
                });
            }
            self.reader = Some(reader);
            self.next_row = 0;
        }
        let reader = self.reader.as_mut().expect("opened above");
        self.skip.resize(cols as usize, EscapeSample::default());
        while self.next_row < row {
            reader.read_samples(&mut self.skip)?;
            self.next_row += 1;
        }
        Ok(reader)
    }
}

impl<R: Read, F: FnMut() -> io::Result<R>> EscapeSource for StoredEscapes<R, F> {
    type Error = StoredEscapesError;

    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        _stop: &StopFlag,
    ) -> Result<(), StoredEscapesError> {
        let ss = u64::from(params.supersample);
        let first = u64::from(band.y0) * ss;
        self.reader_at(params, first)?.read_samples(out)?;
        self.next_row = first + u64::from(band.rows) * ss;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "stored"
    }
}
