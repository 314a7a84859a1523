//! Renders the default view once per palette into a directory, to look at the palettes and the
//! colour mapping: `cargo run -p render-core --example palette_gallery -- OUT_DIR [WIDTH]`.

use std::fs::File;
use std::io::BufWriter;

use render_core::{CpuSource, Flow, Palette, RenderParams, render_to_writer};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| ".".into());
    let width: u32 = args.next().map_or(512, |s| s.parse().expect("WIDTH"));
    std::fs::create_dir_all(&dir)?;
    for palette in Palette::ALL {
        let params = RenderParams {
            width,
            height: width * 3 / 4,
            palette,
            ..RenderParams::default()
        };
        let path = format!("{dir}/{}.png", palette.name());
        let out = BufWriter::new(File::create(&path)?);
        render_to_writer(
            &params,
            &mut CpuSource::new(),
            out,
            &render_core::StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .map_err(std::io::Error::other)?;
        println!("{path}");
    }
    Ok(())
}
