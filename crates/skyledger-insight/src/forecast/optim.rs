//! Nelder–Mead simplex minimiser used to fit smoothing parameters and initial states.

/// Minimise `f` from `x0` with initial simplex steps `step`; stops after `max_evals` evaluations
/// or when the simplex's function values agree within `tol` (relative). Returns the best point
/// and its value.
pub fn nelder_mead<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    step: &[f64],
    max_evals: usize,
    tol: f64,
) -> (Vec<f64>, f64) {
    let d = x0.len();
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    simplex.push((x0.to_vec(), eval(x0)));
    for i in 0..d {
        let mut x = x0.to_vec();
        x[i] += if step[i] != 0.0 { step[i] } else { 0.1 };
        let v = eval(&x);
        simplex.push((x, v));
    }
    let mut evals = d + 1;
    let mut centroid = vec![0.0; d];
    let point = |c: &[f64], w: &[f64], t: f64| -> Vec<f64> {
        c.iter().zip(w).map(|(ci, wi)| ci + t * (wi - ci)).collect()
    };
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[d].1;
        if (worst - best).abs() <= tol * (best.abs() + 1e-12) {
            break;
        }
        centroid.iter_mut().for_each(|c| *c = 0.0);
        for (x, _) in &simplex[..d] {
            for (c, xi) in centroid.iter_mut().zip(x) {
                *c += xi / d as f64;
            }
        }
        let xr = point(&centroid, &simplex[d].0, -1.0);
        let fr = eval(&xr);
        evals += 1;
        if fr < simplex[0].1 {
            let xe = point(&centroid, &simplex[d].0, -2.0);
            let fe = eval(&xe);
            evals += 1;
            simplex[d] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (xr, fr);
        } else {
            let (xc, fc) = if fr < simplex[d].1 {
                let xc = point(&centroid, &xr, 0.5);
                let fc = eval(&xc);
                (xc, fc)
            } else {
                let xc = point(&centroid, &simplex[d].0, 0.5);
                let fc = eval(&xc);
                (xc, fc)
            };
            evals += 1;
            if fc < simplex[d].1.min(fr) {
                simplex[d] = (xc, fc);
            } else {
                let x0 = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 = point(&x0, &s.0, 0.5);
                    s.1 = eval(&s.0);
                }
                evals += d;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, v) = simplex.swap_remove(0);
    (x, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, v) = nelder_mead(f, &[-1.2, 1.0], &[0.5, 0.5], 5000, 1e-14);
        assert!(v < 1e-8, "{v}");
        assert!((x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3);
    }

    #[test]
    fn survives_infinite_regions() {
        let f = |x: &[f64]| {
            if x[0] < 0.0 {
                f64::NAN
            } else {
                (x[0] - 2.0).powi(2)
            }
        };
        let (x, _) = nelder_mead(f, &[1.0], &[1.0], 500, 1e-12);
        assert!((x[0] - 2.0).abs() < 1e-4);
    }
}
