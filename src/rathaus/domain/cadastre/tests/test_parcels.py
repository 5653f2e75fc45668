from rathaus.domain.cadastre.parcels import area, generate_flur, neighbours_in_grid


def test_parcels_tile_the_flur_and_are_deterministic():
    first = generate_flur(seed="x", rows=3, cols=4)
    assert first == generate_flur(seed="x", rows=3, cols=4)
    assert abs(sum(area(p.polygon) for p in first) - 3 * 4 * 40 * 40) < 1e-6


def test_neighbours_share_an_edge():
    assert sorted(neighbours_in_grid(0, 0, 3, 3)) == [(0, 1), (1, 0)]
    assert len(neighbours_in_grid(1, 1, 3, 3)) == 4
