//! The `.npy` output: a NumPy 1.0 header with a 64-byte-aligned dict, then the escape counts of
//! the reference kernel at pixel centres, row-major.

use render_core::encode::npy_header;
use render_core::escape::{escape_f32, escape_f64};
use render_core::{
    CpuSource, Flow, OutputFormat, Precision, RenderParams, Viewport, render_to_writer,
};

fn render_npy(params: &RenderParams) -> Vec<u8> {
    let mut out = Vec::new();
    render_to_writer(
        params,
        &mut CpuSource::new(),
        &mut out,
        &render_core::StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect("render");
    out
}

#[test]
fn npy_header_is_version_1_0_with_an_aligned_dict() {
    for (w, h) in [(1, 1), (640, 480), (16384, 16384), (7, 123_456)] {
        let header = npy_header(w, h);
        assert_eq!(&header[..6], b"\x93NUMPY");
        assert_eq!(&header[6..8], &[1, 0], "format version 1.0");
        let dict_len = u16::from_le_bytes([header[8], header[9]]) as usize;
        assert_eq!(header.len(), 10 + dict_len);
        assert_eq!(
            header.len() % 64,
            0,
            "data must start on a 64-byte boundary"
        );
        assert_eq!(*header.last().unwrap(), b'\n');
        let dict = std::str::from_utf8(&header[10..])
            .expect("ascii")
            .trim_end();
        assert_eq!(
            dict,
            format!("{{'descr': '<u4', 'fortran_order': False, 'shape': ({h}, {w}), }}")
        );
    }
}

#[test]
fn npy_contents_are_the_reference_escape_counts() {
    for precision in [Precision::F32, Precision::F64] {
        let params = RenderParams {
            width: 67,
            height: 45,
            max_iter: 300,
            precision,
            format: OutputFormat::Npy,
            ..RenderParams::default()
        };
        let bytes = render_npy(&params);
        let header_len = npy_header(params.width, params.height).len();
        let counts: Vec<u32> = bytes[header_len..]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(counts.len(), (params.width * params.height) as usize);
        let vp = Viewport::new(&params);
        let r2 = params.escape_radius * params.escape_radius;
        for j in 0..params.height {
            for i in 0..params.width {
                let (x, y) = (vp.sample_re(i), vp.sample_im(j));
                let expected = match precision {
                    Precision::F64 => escape_f64(x, y, params.c.re, params.c.im, 300, r2).count,
                    _ => {
                        let (cr, ci) = (params.c.re as f32, params.c.im as f32);
                        escape_f32(x as f32, y as f32, cr, ci, 300, r2 as f32).count
                    }
                };
                let got = counts[(j * params.width + i) as usize];
                assert_eq!(got, expected, "{precision:?} pixel ({i}, {j})");
            }
        }
    }
}
