//! Generated instances at scale, known feasible by their planted roster; the construction
//! that keeps the hard rules person by person; and the time to best reported honestly.
use rota::evaluate;

#[test]
fn generated_instances_of_every_size_are_feasible_by_their_planted_roster() {
    let sizes = [
        (1, 1, 1),
        (5, 2, 3),
        (20, 8, 6),
        (60, 4, 10),
        (50, 52, 10),
        (150, 52, 32),
    ];
    for (i, &(staff, weeks, types)) in sizes.iter().enumerate() {
        let (p, planted) = rota::generate::planted(staff, weeks, types, i as u64);
        assert_eq!(
            (p.staff.len(), p.days, p.shifts.len()),
            (staff, weeks * 7, types)
        );
        let e = evaluate(&p, &planted);
        assert!(
            e.is_feasible(),
            "{staff}x{weeks}x{types}: {:?}",
            &e.hard[..e.hard.len().min(3)]
        );
        // Read back from its text, as `cargo run --example generate` writes it.
        let again = rota::read_instance(&rota::write_instance(&p)).unwrap();
        assert_eq!(again.staff, p.staff);
        assert!(evaluate(&again, &planted).is_feasible());
    }
}
