// SPDX-License-Identifier: GPL-2.0
//! make demo's plot: each guest prints `kit-demo-sample: SECONDS SHMEM_KIB
//! SWAP_KIB` lines (resident shmem, which holds the GEM buffers' pages, and
//! swap in use) and `kit-demo-sample: mark SECONDS NAME` lines where a
//! scenario starts; this draws both kernels' resident shmem over time in one
//! SVG, with the kit's swap use dashed, so that the difference can be seen.

/// One guest's samples.
#[derive(Debug, Default, PartialEq)]
pub struct Series {
    /// (seconds, resident shmem MiB, swap in use MiB)
    pub points: Vec<(f64, f64, f64)>,
    /// (seconds, scenario) where each scenario started.
    pub marks: Vec<(f64, String)>,
}

/// The samples of a guest console log.
pub fn parse(log: &str) -> Series {
    let mut s = Series::default();
    for line in log.lines() {
        let Some(i) = line.find("kit-demo-sample: ") else {
            continue;
        };
        let f: Vec<&str> = line[i + 17..].split_whitespace().collect();
        match f.as_slice() {
            ["mark", t, name] => {
                if let Ok(t) = t.parse() {
                    s.marks.push((t, name.to_string()));
                }
            }
            [t, shmem, swap] => {
                if let (Ok(t), Ok(a), Ok(b)) =
                    (t.parse(), shmem.parse::<f64>(), swap.parse::<f64>())
                {
                    s.points.push((t, a / 1024.0, b / 1024.0));
                }
            }
            _ => {}
        }
    }
    s
}

const W: f64 = 820.0;
const H: f64 = 380.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

fn polyline(points: &[(f64, f64)], x: impl Fn(f64) -> f64, y: impl Fn(f64) -> f64) -> String {
    points
        .iter()
        .map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The SVG: resident shmem of the kit (and its swap use) and of stock over
/// time, on common axes.
pub fn svg(kit: &Series, stock: &Series, title: &str) -> String {
    let t_max = kit
        .points
        .iter()
        .chain(&stock.points)
        .map(|p| p.0)
        .fold(1.0, f64::max);
    let v_max = kit
        .points
        .iter()
        .chain(&stock.points)
        .map(|p| p.1.max(p.2))
        .fold(16.0, f64::max)
        * 1.1;
    let x = |t: f64| LEFT + t / t_max * (W - LEFT - RIGHT);
    let y = |v: f64| H - BOTTOM - v / v_max * (H - TOP - BOTTOM);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{title}</text>\n",
        W / 2.0
    );
    // Axes, grid and labels.
    for i in 0..=5 {
        let v = v_max / 5.0 * i as f64;
        s += &format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}</text>\n",
            W - RIGHT,
            y(v),
            y(v),
            LEFT - 6.0,
            y(v) + 4.0,
            v
        );
        let t = t_max / 5.0 * i as f64;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{:.0}</text>\n",
            x(t),
            H - BOTTOM + 18.0,
            t
        );
    }
    s += &format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">seconds since the first scenario began</text>\n\
         <text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\">MiB</text>\n",
        (LEFT + W - RIGHT) / 2.0,
        H - 12.0,
        (TOP + H - BOTTOM) / 2.0
    );
    for (t, name) in &kit.marks {
        s += &format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{TOP}\" y2=\"{1}\" stroke=\"#999\" \
             stroke-dasharray=\"2,3\"/><text x=\"{2:.1}\" y=\"{3}\" fill=\"#666\">{name} (kit)</text>\n",
            x(*t),
            H - BOTTOM,
            x(*t) + 4.0,
            TOP + 12.0
        );
    }
    let series = [
        (stock, false, "#c0392b", "stock 7.3.4: resident shmem", ""),
        (kit, false, "#1f5fa8", "kit: resident shmem", ""),
        (
            kit,
            true,
            "#1f5fa8",
            "kit: swap in use",
            " stroke-dasharray=\"6,4\"",
        ),
    ];
    for (i, (ser, swap, color, label, dash)) in series.iter().enumerate() {
        let pts: Vec<(f64, f64)> = ser
            .points
            .iter()
            .map(|p| (p.0, if *swap { p.2 } else { p.1 }))
            .collect();
        let ly = TOP + 26.0 + 16.0 * i as f64;
        let (x0, x1, tx) = (LEFT + 10.0, LEFT + 40.0, LEFT + 46.0);
        s += &format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{pts}\"/>\n\
             <line x1=\"{x0}\" x2=\"{x1}\" y1=\"{ly:.1}\" y2=\"{ly:.1}\" stroke=\"{color}\" \
             stroke-width=\"2\"{dash}/><text x=\"{tx}\" y=\"{ty:.1}\">{label}</text>\n",
            pts = polyline(&pts, x, y),
            ty = ly + 4.0,
        );
    }
    s += "</svg>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_and_marks_are_parsed_and_drawn() {
        let log = "kit-demo-sample: mark 0.00 churn\n\
                   [ 3.1] noise\n\
                   kit-demo-sample: 0.20 10240 0\n\
                   kit-demo-sample: 0.40 204800 1024\n";
        let s = parse(log);
        assert_eq!(s.marks, vec![(0.0, "churn".to_string())]);
        assert_eq!(s.points, vec![(0.2, 10.0, 0.0), (0.4, 200.0, 1.0)]);
        let svg = svg(&s, &Series::default(), "t");
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<polyline").count(), 3);
    }
}
