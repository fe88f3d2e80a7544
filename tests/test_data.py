"""Datasets and DataLoader against real torch: same batches, same shuffles from the same seed,
same collation of tensors, numbers, tuples and dicts."""
from difftest import run_both


def dataset(lib):
    return lib.utils.data.TensorDataset(lib.arange(30.).view(10, 3), lib.arange(10))


def test_sequential_batches_and_drop_last_match_torch():
    run_both(lambda lib: [list(b) for b in lib.utils.data.DataLoader(dataset(lib), batch_size=4)])
    run_both(lambda lib: [list(b) for b in lib.utils.data.DataLoader(dataset(lib), batch_size=4,
                                                                     drop_last=True)])
    run_both(lambda lib: len(lib.utils.data.DataLoader(dataset(lib), batch_size=3)))


def test_shuffle_follows_the_global_seed_like_torch():
    def program(lib):
        lib.manual_seed(123)
        loader = lib.utils.data.DataLoader(dataset(lib), batch_size=3, shuffle=True)
        epochs = [[b[1] for b in loader] for _ in range(3)]
        return epochs + [lib.rand(2)]   # the global stream is left where torch leaves it
    run_both(program)


def test_shuffle_with_own_generator_matches_torch():
    def program(lib):
        g = lib.Generator().manual_seed(7)
        loader = lib.utils.data.DataLoader(dataset(lib), batch_size=4, shuffle=True, generator=g)
        return [[b[1] for b in loader] for _ in range(2)]
    run_both(program)


def test_default_collate_matches_torch():
    items = [{"x": 1.5, "n": 2, "pair": (1, 2.0), "flag": True, "name": "a"},
             {"x": 2.5, "n": 3, "pair": (3, 4.0), "flag": False, "name": "b"}]
    run_both(lambda lib: next(iter(lib.utils.data.DataLoader(items, batch_size=2))))


def test_custom_dataset_subset_and_random_split_match_torch():
    def program(lib):
        class Squares(lib.utils.data.Dataset):
            def __len__(self):
                return 9

            def __getitem__(self, i):
                return lib.tensor([float(i)]), i * i

        lib.manual_seed(0)
        train, val = lib.utils.data.random_split(Squares(), [6, 3])
        sub = lib.utils.data.Subset(Squares(), [8, 1])
        fracs = lib.utils.data.random_split(range(10), [0.5, 0.3, 0.2])
        loader = lib.utils.data.DataLoader(train, batch_size=4, shuffle=True)
        return [train.indices, val.indices, sub[0], [list(f) for f in fracs],
                [list(b) for b in loader]]
    run_both(program)
