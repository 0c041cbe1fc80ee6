"""The `skinmm` command line: `skinmm manifest | split | train | evaluate | predict | bundle | serve`."""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from skinmm.db.cli import (  # argparse only; keeps `skinmm --help` fast
    add_db_commands,
    add_users_commands,
)
from skinmm.image import DEFAULT_BACKBONE, parse_params  # torch is not loaded
from skinmm.options import fill

# Kept here rather than imported from skinmm.fusion so `skinmm --help` stays fast.
RULE_NAMES = ("max", "mean", "product", "weighted", "stacked")
# "image": the image branch alone, the default's fallback when no rule keeps its sensitivity.
SELECTABLE_RULES = (*RULE_NAMES, "image")
# skinmm.train.IMAGE_ROWS, for the same reason.
IMAGE_ROWS = ("pooled", "own-prior", "own-classes")
IMAGE_ROWS_HELP = (
    "several sources, whose image and text rows differ: pooled (default) decides every row "
    "with one training prior; own-prior decides rows with an image by the prior of the "
    "training rows with an image; own-classes also keeps their decision to the classes the "
    "image branch learnt (a class learnt from notes alone cannot overrule a photograph)"
)


def _manifest(args: argparse.Namespace) -> int:
    from skinmm.data.datasets import BUILDERS
    from skinmm.data.manifest import write_manifest

    frame = BUILDERS[args.dataset](args.data_dir, lang=args.lang)
    if args.labels == "taxonomy":
        from skinmm.data.datasets import taxonomy_labels

        frame = taxonomy_labels(frame, args.dataset)
    path = write_manifest(frame, args.out)
    print(f"Wrote {len(frame)} rows, {frame['group_id'].nunique()} groups to {path}")
    print(frame["label"].value_counts().to_string())
    return 0


def _split(args: argparse.Namespace) -> int:
    from skinmm.data.manifest import known_labels, read_manifest
    from skinmm.data.split import split_manifest, split_summary, write_split

    started = time.perf_counter()
    frame = read_manifest(
        args.manifest,
        classes=known_labels(),
        check_images=not args.skip_image_check,
        require_labels=True,
    )
    source = f"Manifest {args.manifest}"
    split = split_manifest(frame, args.test_size, args.val_size, args.seed, source)
    paths = write_split(split, args.out)
    print("\n".join([*split.notes, split_summary(split).to_string()]))
    elapsed = time.perf_counter() - started
    print(f"Wrote {', '.join(str(p) for p in paths.values())} in {elapsed:.1f} s")
    return 0


def _add_dataset_manifest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="raw data folder (default: $SKINMM_DATA or ../shared/data)")
    p.add_argument("--out", required=True, help="manifest CSV to write")
    p.add_argument("--lang", choices=["en", "zh"], default="en", help="language of the notes")
    p.add_argument(
        "--labels",
        choices=["dataset", "taxonomy"],
        default="dataset",
        help="taxonomy: taxonomy codes where a class is one tumour (ack -> ak, nv -> nev; "
        "PAD-UFES-20's SCC -> scc), coarse classes kept (akiec, bkl, vasc)",
    )
    p.set_defaults(handler=_manifest)


def _add_data_commands(sub: argparse._SubParsersAction) -> None:
    manifest = sub.add_parser(
        "manifest", help="build a manifest: a public dataset, a clinic's folders or a table"
    )
    kinds = manifest.add_subparsers(dest="dataset", required=True, metavar="SOURCE")
    for dataset in ("ham10000", "pad-ufes-20"):
        _add_dataset_manifest_args(kinds.add_parser(dataset, help=f"the raw {dataset} dataset"))
    _add_clinic_manifest_commands(kinds)

    p = sub.add_parser("split", help="grouped, stratified train/val/test split of a manifest")
    p.add_argument("manifest")
    p.add_argument("--out", required=True, help="folder for train.csv, val.csv, test.csv")
    p.add_argument("--test-size", type=float, default=0.2)
    p.add_argument("--val-size", type=float, default=0.1, help="share of training groups")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-image-check", action="store_true", help="do not check image files exist")
    p.set_defaults(handler=_split)


def _train(args: argparse.Namespace) -> int:
    from skinmm.train import TrainConfig, train_bundle

    config = fill(
        TrainConfig,
        args,
        image_params=parse_params(args.image_param),
        text_params={"features": args.text_features, "fact_dropout": args.fact_dropout},
        clinical=_scope_photos(args),
    )
    train_bundle(config)
    return 0


def _scope_photos(args: argparse.Namespace) -> Path | None:
    """The clinical photographs the training fits the input-scope gate with, or None."""
    from skinmm.data.datasets import data_dir

    if args.no_scope:
        return None
    folder = Path(args.clinical) if args.clinical else data_dir() / "sd198-subset"
    if (folder / "metadata.csv").is_file():
        return folder
    if args.clinical:
        raise ValueError(f"{folder} has no metadata.csv: give the sd198-subset folder.")
    print(
        f"No clinical photographs at {folder}: the bundle gets no input-scope gate. Add one "
        "later with `skinmm scope fit` and `skinmm scope add`.",
        file=sys.stderr,
    )
    return None


def _refit_fusion(args: argparse.Namespace) -> int:
    from skinmm.train import refit_fusion

    card = refit_fusion(
        Path(args.bundle),
        Path(args.val),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        seed=args.seed,
        requested=args.fusion,
        image_rows=args.fusion_image_rows,
        train_manifest=Path(args.train) if args.train else None,
    )
    fusion, triage = card["fusion"], card["triage"]
    print(
        json.dumps(
            {
                "bundle": args.bundle,
                "rule": fusion["rule"],
                "prior_power": fusion["params"]["prior_power"],
                "decision_power": fusion["params"]["decision_power"],
                "reason": fusion["reason"],
                "validation_image_only": fusion["validation_image_only"],
                "validation_chosen": fusion["validation_chosen"],
                "triage": triage,
            },
            indent=1,
        )
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from skinmm.bundle import load_bundle
    from skinmm.evaluate import evaluate_bundle, summary

    bundle = load_bundle(args.bundle)
    metrics = evaluate_bundle(
        bundle,
        Path(args.manifest),
        Path(args.out),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        field_dropout=args.field_dropout or (),
        seed=args.seed,
        n_boot=args.bootstrap,
    )
    print(json.dumps(summary(metrics), indent=1))
    for source, figures in metrics.get("by_source", {}).items():
        print(json.dumps({"source": source, **summary(figures)}, indent=1))
    if metrics["unmapped"]["count"]:
        print(f"Rows whose label does not map onto the bundle: {metrics['unmapped']}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    from skinmm.text.offload import offloaded_text

    if not args.image and not args.note:
        raise ValueError("Give --image, --note, or both.")
    image = _read_image_arg(args.image) if args.image else None
    # The note is scored in a child process while this one imports torch and loads the
    # image branch (BENCHMARKS.md, start-up); the answer is the same either way.
    with offloaded_text(args.bundle, [args.note]) as text_loader:
        return _predict_with(args, image, text_loader)


def _predict_with(args: argparse.Namespace, image: Any, text_loader: Any) -> int:
    from skinmm.bundle import load_bundle
    from skinmm.triage import verdict

    bundle = load_bundle(args.bundle, text_loader=text_loader)
    prediction = bundle.predict(image, args.note, rule=args.fusion)
    record = prediction.to_dict()
    record["not_covered"] = bundle.not_covered
    record["triage"] = verdict(bundle.card.get("triage"), bundle.codes, prediction.fused)
    if args.cam and image is not None:
        cams = bundle.cams(image, prediction.order[:3])
        paths = _save_cams(cams, Path(args.cam), bundle.codes)
        record["cams"] = [str(p) for p in paths]
    print(json.dumps(record, indent=1, ensure_ascii=False))
    return 0


def _read_image_arg(name: str) -> Any:
    """``--image`` decoded (a PIL image), before the slow bundle load; else what to give."""
    from skinmm.image.io import load_image

    path = Path(name)
    if path.is_dir():
        raise ValueError(f"--image {name} is a folder; give one image file (JPEG, PNG or WebP).")
    if not path.is_file():
        raise ValueError(f"--image {name} does not exist; check the path.")
    return load_image(path)


def _save_cams(cams: list, out: Path, codes: list[str]) -> list[Path]:
    """The top class's overlay at ``out``; the others beside it, suffixed by class code."""
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for rank, cam in enumerate(cams):
        path = (
            out if rank == 0 else out.with_name(f"{out.stem}_{codes[cam.class_index]}{out.suffix}")
        )
        cam.overlay.save(path)
        paths.append(path)
    return paths


def _bundle_reseal(args: argparse.Namespace) -> int:
    from skinmm.bundle import CARD_DIGEST, reseal

    written = reseal(Path(args.directory))
    state = "sealed" if written else "already sealed; nothing written"
    print(f"{args.directory}: every file verified; {CARD_DIGEST} {state}.")
    return 0


def _bundle_verify(args: argparse.Namespace) -> int:
    from skinmm.bundle import read_card

    card = read_card(Path(args.directory))
    print(f"{args.directory}: card sealed, {len(card['files'])} files verified.")
    return 0


def _add_bundle_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help="check or seal a model bundle's card")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser(
        "reseal",
        help="seal a card written before seals existed (verifies every file; certifies nothing new)",
    )
    q.add_argument("directory", help="bundle folder, e.g. models/default")
    q.set_defaults(handler=_bundle_reseal)
    q = actions.add_parser("verify", help="check the card's seal and every file's checksum")
    q.add_argument("directory", help="bundle folder, e.g. models/default")
    q.set_defaults(handler=_bundle_verify)


def _fact_dropout(value: str) -> float | str | None:
    from skinmm.text.dropout import check_dropout

    try:
        return check_dropout(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _add_fact_dropout_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--fact-dropout",
        type=_fact_dropout,
        default=None,
        metavar="RATE|auto",
        help="train the text branch also on copies of each note with its facts dropped at a "
        "rate drawn per note from [0, RATE]; auto: RATE chosen by grouped CV on training; "
        "default: one copy with each fact dropped at 0.5",
    )


def _add_model_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train both branches, fit fusion and write a bundle")
    p.add_argument("--train", required=True, help="training manifest (train.csv)")
    p.add_argument("--val", required=True, help="validation manifest (val.csv)")
    p.add_argument("--out", required=True, help="bundle folder to write, e.g. models/NAME")
    p.add_argument("--backbone", default=DEFAULT_BACKBONE)
    p.add_argument("--embedder", default="use-multilingual")
    p.add_argument(
        "--text-features",
        default="auto",
        choices=["auto", "embedding", "facts+embedding", "facts+rendered", "facts"],
        help="text-branch input: the note's embedding (the paper's recipe), facts read from "
        "the note + its embedding, facts + the embedding of the facts re-rendered as one "
        "canonical English note (the same facts in English or Chinese give the same input), "
        "or facts only; auto: chosen by grouped CV on training",
    )
    _add_fact_dropout_arg(p)
    p.add_argument(
        "--fusion",
        default="auto",
        choices=["auto", *SELECTABLE_RULES],
        help="auto: chosen on the validation groups, sensitivity first (see README)",
    )
    p.add_argument(
        "--fusion-image-rows", default="pooled", choices=IMAGE_ROWS, help=IMAGE_ROWS_HELP
    )
    p.add_argument(
        "--recipe",
        default="default",
        choices=["default", "fast"],
        help="fast: train only the last 3 tail modules (lr 1e-3), about 4 min warm on 2 cores, "
        "for about 0.013 less weighted F1; --image-param settings override it",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--cache-dir", help="feature/embedding cache (default $SKINMM_CACHE or cache/)")
    p.add_argument(
        "--label-space",
        default="auto",
        choices=["auto", "ham10000", "pad-ufes-20", "taxonomy", "data"],
        help="the classes to learn; auto: a public dataset's when the labels are its, else "
        "data: the labels' coarsest common level (akiec = ak + bowen merges them; see README)",
    )
    p.add_argument(
        "--image-param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="image-branch setting, repeatable: e.g. tail_trainable=3 (the fast recipe), "
        "epochs=8, train_views=identity+hflip (see docs/image-branch.md)",
    )
    p.add_argument(
        "--clinical",
        help="clinical photographs for the input-scope gate (default: $SKINMM_DATA/sd198-subset"
        " when present)",
    )
    p.add_argument("--no-scope", action="store_true", help="train without the input-scope gate")
    p.set_defaults(handler=_train)

    p = sub.add_parser("evaluate", help="evaluate a bundle on a labelled manifest")
    p.add_argument("--bundle", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument(
        "--out", required=True, help="report folder (metrics.json, predictions.csv, plots)"
    )
    p.add_argument("--cache-dir")
    p.add_argument(
        "--field-dropout",
        type=float,
        nargs="*",
        help="also score notes with these shares of fields left out, e.g. 0 0.3 0.7",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="grouped bootstrap replicates for the 95%% intervals (default 1000)",
    )
    p.set_defaults(handler=_evaluate)

    p = sub.add_parser(
        "refit-fusion",
        help="re-choose a bundle's fusion, decision and triage point on validation data, "
        "keeping its branches",
    )
    p.add_argument("--bundle", required=True, help="bundle folder, replaced atomically")
    p.add_argument("--val", required=True, help="validation manifest the bundle was not fit on")
    p.add_argument("--fusion", default="auto", choices=["auto", *SELECTABLE_RULES])
    p.add_argument(
        "--fusion-image-rows",
        choices=IMAGE_ROWS,
        help=f"{IMAGE_ROWS_HELP}; default: the bundle's own",
    )
    p.add_argument("--train", help="the bundle's training manifest (for --fusion-image-rows)")
    p.add_argument("--cache-dir")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_refit_fusion)

    p = sub.add_parser("predict", help="the differential for one image and/or note, as JSON")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--image")
    p.add_argument("--note")
    p.add_argument("--fusion", choices=SELECTABLE_RULES, help="override the bundle's fusion rule")
    p.add_argument("--cam", help="write Grad-CAM overlays of the top 3 classes (PNG path)")
    p.set_defaults(handler=_predict)

    # Listed for --help only: main() hands `serve` and its arguments to skinmm.serve.
    sub.add_parser("serve", help="start the web app: skinmm serve --help", add_help=False)


def _scope_fit(args: argparse.Namespace) -> int:
    from skinmm.cache import default_cache_dir
    from skinmm.scope import run_fit

    figures = run_fit(
        Path(args.bundle),
        Path(args.train),
        Path(args.val),
        Path(args.clinical),
        Path(args.out),
        n_train=args.n_train,
        held_out_classes=args.held_out_classes,
        pass_rate=args.pass_rate,
        seed=args.seed,
        cache_dir=Path(args.cache_dir) if args.cache_dir else default_cache_dir(),
    )
    print(json.dumps(figures, indent=1))
    print(f"Wrote {args.out}; add it with `skinmm scope add --bundle DIR --from {args.out}`.")
    return 0


def _scope_add(args: argparse.Namespace) -> int:
    from skinmm.scope import add_to_bundle

    card = add_to_bundle(Path(args.bundle), Path(args.source))
    print(f"{args.bundle}: scope gate added, {len(card['files'])} files certified and sealed.")
    return 0


def _scope_evaluate(args: argparse.Namespace) -> int:
    from skinmm.cache import default_cache_dir
    from skinmm.scope import run_evaluate

    figures = run_evaluate(
        Path(args.bundle),
        Path(args.test),
        Path(args.clinical),
        scope_dir=Path(args.scope) if args.scope else None,
        n_degraded=args.n_degraded,
        cache_dir=Path(args.cache_dir) if args.cache_dir else default_cache_dir(),
    )
    figures["command"] = "skinmm " + " ".join(sys.argv[1:])
    text = json.dumps(figures, indent=1)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n")
    print(text)
    return 0


def _add_scope_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scope", help="fit, add or measure the input-scope gate")
    actions = p.add_subparsers(dest="action", required=True)
    q = actions.add_parser("fit", help="fit the gate on a bundle's features; writes OUT/scope.json")
    q.add_argument("--bundle", required=True)
    q.add_argument("--train", required=True, help="HAM10000 training manifest (dermoscopic)")
    q.add_argument("--val", required=True, help="validation manifest: calibrates the thresholds")
    q.add_argument("--clinical", required=True, help="the sd198-subset folder (clinical photos)")
    q.add_argument("--out", required=True, help="folder for scope.json and scope.npz")
    q.add_argument("--n-train", type=int, default=1500, help="training images sampled")
    q.add_argument("--held-out-classes", type=int, default=9, help="SD-198 classes kept out")
    q.add_argument(
        "--pass-rate",
        type=float,
        default=0.95,
        help="conformal level: expected share of in-distribution images that pass",
    )
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--cache-dir")
    q.set_defaults(handler=_scope_fit)
    q = actions.add_parser("add", help="copy a fitted gate into a bundle and reseal its card")
    q.add_argument("--bundle", required=True)
    q.add_argument("--from", dest="source", required=True, help="folder written by scope fit")
    q.set_defaults(handler=_scope_add)
    q = actions.add_parser("evaluate", help="the gate's figures on held-out material (JSON)")
    q.add_argument("--bundle", required=True)
    q.add_argument("--scope", help="a gate folder (default: the bundle's scope/)")
    q.add_argument("--test", required=True, help="HAM10000 test manifest")
    q.add_argument("--clinical", required=True, help="the sd198-subset folder")
    q.add_argument("--n-degraded", type=int, default=300, help="test images degraded")
    q.add_argument("--cache-dir")
    q.add_argument("--out", help="also write the figures here, e.g. docs/results/scope.json")
    q.set_defaults(handler=_scope_evaluate)


def _read_note(args: argparse.Namespace) -> int:
    if args.evaluate:
        return _evaluate_notes(args)
    if args.text is None:
        raise ValueError(
            'Give the note as one argument (skinmm read-note "TEXT"), or - to read stdin.'
        )
    from skinmm.text.facts import read_note

    text = sys.stdin.read() if args.text == "-" else args.text
    print(json.dumps(read_note(text).to_dict(), indent=1, ensure_ascii=False))
    return 0


def _evaluate_notes(args: argparse.Namespace) -> int:
    from skinmm.text.facts_eval import evaluate_sets

    result = evaluate_sets([Path(p) for p in args.evaluate], n_boot=args.n_boot)
    result["command"] = "skinmm " + " ".join(sys.argv[1:])
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    for name, figures in result["sets"].items():
        unmet = [fact for fact, t in figures["targets"].items() if not t["met"]]
        print(
            f"{name}: {figures['notes_read_exactly']}/{figures['n_notes']} notes read exactly; "
            f"targets not met: {', '.join(unmet) or 'none'}"
        )
    return 0


def _add_note_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read-note", help="the facts read from a clinical note, as JSON")
    p.add_argument("text", nargs="?", help='the note ("-": read it from stdin)')
    p.add_argument(
        "--evaluate",
        nargs="+",
        metavar="SET",
        help="instead: per-fact precision/recall on JSON-lines sets with known facts",
    )
    p.add_argument(
        "--out", help="write the evaluation here, e.g. docs/results/note_extraction.json"
    )
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates for intervals")
    p.set_defaults(handler=_read_note)


def _write_built(built: Any, out: str) -> int:
    from skinmm.data.manifest import write_manifest

    for message in built.messages:
        print(message)
    frame = built.frame
    path = write_manifest(frame, out)
    print(f"Wrote {len(frame)} rows, {frame['group_id'].nunique()} groups to {path}")
    print(frame["label"].value_counts().to_string())
    return 0


def _manifest_folder(args: argparse.Namespace) -> int:
    from skinmm.data.clinic import folder_manifest

    built = folder_manifest(
        Path(args.folder),
        notes=Path(args.notes) if args.notes else None,
        mapping=Path(args.map) if args.map else None,
        groups_from=args.groups_from,
    )
    return _write_built(built, args.out)


def _manifest_csv(args: argparse.Namespace) -> int:
    from skinmm.data.clinic import parse_column_map, table_manifest

    built = table_manifest(
        Path(args.table),
        parse_column_map(args.map),
        Path(args.labels) if args.labels else None,
    )
    return _write_built(built, args.out)


def _add_clinic_manifest_commands(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("folder", help="a clinic's images, one folder per diagnosis")
    p.add_argument("folder", help="DIR holding one folder per diagnosis (ImageFolder layout)")
    p.add_argument("--out", required=True, help="manifest CSV to write")
    p.add_argument(
        "--notes",
        help="CSV or Excel table: file (path relative to DIR, or file name), patient_id, note, "
        "any further columns (kept as metadata)",
    )
    p.add_argument(
        "--map", help="mapping file: one `folder name,label` line per folder (label - skips it)"
    )
    p.add_argument(
        "--groups-from",
        metavar="REGEX|COLUMN",
        help="patient id where the table has none: a notes-table column, or a regular "
        "expression on the image path (its first group)",
    )
    p.set_defaults(handler=_manifest_folder)
    p = kinds.add_parser("csv", help="any exported table (CSV or Excel) mapped onto a manifest")
    p.add_argument("table", help="CSV or .xlsx export; image paths relative to its folder")
    p.add_argument(
        "--map",
        required=True,
        help="manifest column=table column, comma-separated, e.g. "
        "case_id=ID,group_id=PatientID,image_path=Photo,note=Record,label=Diagnosis",
    )
    p.add_argument("--labels", help="mapping file: one `diagnosis,label` line per diagnosis")
    p.add_argument("--out", required=True, help="manifest CSV to write")
    p.set_defaults(handler=_manifest_csv)


def _merge(args: argparse.Namespace) -> int:
    from skinmm.data.manifest import write_manifest
    from skinmm.data.merge import merge_manifests

    frame = merge_manifests([Path(p) for p in args.manifests], args.source)
    path = write_manifest(frame, args.out)
    print(f"Wrote {len(frame)} rows, {frame['group_id'].nunique()} groups to {path}")
    print(frame.groupby(["source", "label"]).size().rename("rows").to_string())
    return 0


def _study(args: argparse.Namespace) -> int:
    from skinmm.study import StudyConfig, run_study

    report = run_study(
        fill(
            StudyConfig,
            args,
            n_boot=args.bootstrap,
            image_params=parse_params(args.image_param),
            text_params=parse_params(args.text_param),
        )
    )
    print(report.read_text(encoding="utf-8"))
    print(
        f"Wrote {report}; open the Dashboard with: skinmm serve --bundle {Path(args.out) / 'bundle'}"
    )
    return 0


def _add_clinic_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "study", help="the paper's protocol on a manifest: split, train, evaluate, report"
    )
    p.add_argument(
        "--manifest", required=True, help="labelled manifest (e.g. from manifest folder)"
    )
    p.add_argument("--out", required=True, help="folder for split/, bundle/ and study.md")
    p.add_argument("--recipe", default="default", choices=["default", "fast"])
    p.add_argument(
        "--label-space",
        default="auto",
        choices=["auto", "ham10000", "pad-ufes-20", "taxonomy", "data"],
    )
    p.add_argument("--test-size", type=float, default=0.2)
    p.add_argument("--val-size", type=float, default=0.1, help="share of training groups")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N")
    p.add_argument("--image-param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument(
        "--text-param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="text-branch setting, repeatable: e.g. search=false",
    )
    p.set_defaults(handler=_study)

    p = sub.add_parser("merge", help="merge manifests of several sources into one")
    p.add_argument("manifests", nargs="+", help="manifest CSVs to merge")
    p.add_argument("--out", required=True, help="merged manifest CSV to write")
    p.add_argument(
        "--source",
        action="append",
        help="source name of each file, in order, for rows without a `source` column "
        "(default: the file's name, or its folder's for train/val/test.csv)",
    )
    p.set_defaults(handler=_merge)


# Commands that gather evidence for one branch (docs/image-branch.md, docs/text-branch.md):
# each hands everything after its name to the module's own parser, options included.
EVIDENCE_COMMANDS = {
    "train-image": ("skinmm.image.standalone", "train and save the image branch alone"),
    "train-text": ("skinmm.text.standalone", "train and save the text branch alone"),
    "cv": ("skinmm.image.cv", "compare image-branch candidates by grouped cross-validation"),
    "text-evidence": ("skinmm.text.evaluate", "the text branch's evidence on HAM10000 or PAD"),
}


def _add_evidence_commands(sub: argparse._SubParsersAction) -> None:
    for name, (module, summary) in EVIDENCE_COMMANDS.items():
        # No option prefix of its own: `--help` and every option reach the module's parser.
        p = sub.add_parser(name, help=summary, add_help=False, prefix_chars="\0")
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(handler=functools.partial(_run_module, module))


def _run_module(module: str, args: argparse.Namespace) -> int:
    import importlib

    return int(importlib.import_module(module).main(args.rest))


def _predict_batch(args: argparse.Namespace) -> int:
    from skinmm.batch import run
    from skinmm.data.manifest import read_manifest

    frame = read_manifest(args.manifest, check_images=False)
    config = _batch_config(args, Path(args.out))
    print(run(frame, config).line(config.out))
    return 0


def _batch_config(args: argparse.Namespace, out: Path) -> Any:
    from skinmm.batch import BatchConfig

    return fill(BatchConfig, args, out=out)


def _add_engine_options(p: argparse.ArgumentParser, default_engine: str) -> None:
    p.add_argument("--engine", choices=["local", "ray"], default=default_engine)
    p.add_argument(
        "--address", help="Ray cluster to join (host:port, or auto); default: start a local one"
    )
    p.add_argument("--workers", type=int, default=2, help="image-stage workers (ray engine)")
    p.add_argument("--batch-size", type=int, default=32, help="rows per model batch")
    p.add_argument("--shard-size", type=int, default=1024, help="rows per Parquet shard")
    p.add_argument(
        "--gpus-per-worker", type=float, default=0.0, help="GPUs per image worker (ray engine)"
    )


def _examples(args: argparse.Namespace) -> int:
    from skinmm.gallery import restore_photos

    written, missing = restore_photos(Path(args.bundle), Path(args.data) if args.data else None)
    print(f"{args.bundle}: {written} example photos written from the data folder.")
    if missing:
        print(
            f"{len(missing)} photos are not in the data folder (set SKINMM_DATA to the folder "
            "holding ham10000/): the examples that need them stay hidden."
        )
    return 0


def _add_examples_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "examples", help="write a bundle's example photos from the HAM10000 data folder"
    )
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--data", help="the raw-data folder (default: $SKINMM_DATA)")
    p.set_defaults(handler=_examples)


def _add_batch_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict-batch",
        help="predict every row of a manifest into resumable Parquet shards (local or Ray)",
    )
    p.add_argument("manifest", help="manifest CSV (labels optional)")
    p.add_argument("--bundle", default="models/default")
    p.add_argument("--out", required=True, help="folder for the part-NNNNN.parquet shards")
    p.add_argument("--cam", choices=["top1"], help="also write the top class's Grad-CAM overlay")
    _add_engine_options(p, "local")
    p.set_defaults(handler=_predict_batch)

    p = sub.choices["evaluate"]
    _add_engine_options(p, "local")
    p.add_argument(
        "--predictions",
        help="with --engine ray: folder for the Parquet shards (default: OUT-predictions); "
        "a rerun resumes from it",
    )
    p.set_defaults(handler=_evaluate_with_engine)


def _evaluate_with_engine(args: argparse.Namespace) -> int:
    """`skinmm evaluate`; with ``--engine ray`` the branches run as `predict-batch` on Ray
    and the same report is computed from its shards."""
    if args.engine == "local":
        return _evaluate(args)
    from skinmm.batch import engine_probabilities
    from skinmm.bundle import load_bundle
    from skinmm.evaluate import evaluate_bundle, summary

    out = Path(args.out)
    shards = (
        Path(args.predictions) if args.predictions else out.with_name(f"{out.name}-predictions")
    )
    bundle = load_bundle(args.bundle)
    metrics = evaluate_bundle(
        bundle,
        Path(args.manifest),
        out,
        field_dropout=args.field_dropout or (),
        seed=args.seed,
        n_boot=args.bootstrap,
        probabilities=engine_probabilities(bundle, _batch_config(args, shards)),
    )
    print(json.dumps(summary(metrics), indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinmm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(sub)
    _add_model_commands(sub)
    _add_bundle_commands(sub)
    _add_scope_commands(sub)
    _add_disagreement_commands(sub)
    _add_note_commands(sub)
    _add_clinic_commands(sub)
    _add_evidence_commands(sub)
    _add_batch_commands(sub)
    _add_examples_commands(sub)
    add_db_commands(sub)
    add_users_commands(sub)
    return parser


def _disagreement_fit(args: argparse.Namespace) -> int:
    from skinmm.bundle import load_bundle, update_card
    from skinmm.cache import default_cache_dir
    from skinmm.data.manifest import read_manifest
    from skinmm.disagreement import fit_block
    from skinmm.train import _validation_probas

    bundle = load_bundle(Path(args.bundle))
    val = read_manifest(Path(args.val))
    cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    image_p, text_p = _validation_probas(cache_dir, bundle.image, bundle.text, val)
    y = val["label"].map(bundle.codes.index).to_numpy()
    block = fit_block(image_p, text_p, y, bundle.card.get("conformal"), bundle.codes)
    update_card(Path(args.bundle), {"disagreement": block}, renew="report")
    print(json.dumps(block, indent=2))
    return 0


def _disagreement_measure(args: argparse.Namespace) -> int:
    import pandas as pd

    from skinmm.bundle import load_bundle
    from skinmm.disagreement import measure

    bundle = load_bundle(Path(args.bundle))
    block = bundle.card.get("disagreement")
    if not block:
        raise SystemExit(f"{args.bundle} has no disagreement rule; run `skinmm disagreement fit`.")
    frame = pd.read_csv(args.predictions)
    print(json.dumps(measure(block, bundle.card.get("conformal"), frame, bundle.codes), indent=2))
    return 0


def _add_disagreement_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("disagreement", help="the 'photo and note disagree' caution's rule")
    q = p.add_subparsers(dest="disagreement_command", required=True)
    r = q.add_parser("fit", help="choose the rule on the validation groups; write it to the card")
    r.add_argument("--bundle", required=True)
    r.add_argument("--val", required=True, help="validation manifest (val.csv)")
    r.add_argument("--cache-dir", help="feature cache (default $SKINMM_CACHE or cache/)")
    r.set_defaults(handler=_disagreement_fit)
    r = q.add_parser("measure", help="how often it fires on a test predictions.csv")
    r.add_argument("--bundle", required=True)
    r.add_argument("--predictions", required=True, help="predictions.csv of skinmm evaluate")
    r.set_defaults(handler=_disagreement_measure)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        # Everything after `serve` belongs to it (and to `streamlit run`), options included,
        # which argparse's REMAINDER would not pass on when they come first.
        from skinmm.serve import main as serve

        return serve(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as exc:
        # Errors a user can cause carry their own explanation; no traceback for those.
        print(f"skinmm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"skinmm {args.command}: error: {_os_message(exc)}", file=sys.stderr)
        return 2


def _os_message(exc: OSError) -> str:
    """A file-system error in words, with what to check (its own text names no remedy)."""
    if exc.filename is None:
        return f"{exc.strerror or exc}. Check the paths given and the free disk space."
    return f"{exc.strerror or exc}: {exc.filename}. Check that path and its permissions."


if __name__ == "__main__":
    sys.exit(main())
