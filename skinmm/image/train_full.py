"""Fine-tune every layer on a GPU: ``python -m skinmm.image.train_full --train ... --val ...``.

The same command as :mod:`skinmm.image.train` with ``--finetune full --device cuda`` as the
defaults: augmented images, bf16 autocast, one progress line per epoch, JSON figures at the end.
"""

from __future__ import annotations

import sys

from skinmm.image.train import main

if __name__ == "__main__":
    sys.exit(main(finetune="full", device="cuda"))
