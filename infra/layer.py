"""The shared Lambda layer as a CDK asset, bundled locally (no Docker).

CDK calls `SharedLayerBundling.try_bundle` with the asset's output directory; it runs the
same builder as `make layer` (`layers/build.py`). Returning True tells CDK the local build
succeeded, so it never falls back to Docker. The asset hash is computed from what the layer
is built from (`shared/` files, pinned dependencies, architecture), so a new layer version is
published exactly when one of them changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from layers.build import PYTHON_VERSION, SHARED_DIR, build_layer, compile_bytecode, content_hash

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64  # Graviton: ~20% cheaper per GB-second than x86_64
ARCHITECTURE_NAME = "arm64"

assert RUNTIME.name == f"python{PYTHON_VERSION}", "layers/build.py must target the functions' runtime"


@jsii.implements(ILocalBundling)
class SharedLayerBundling:
    """Builds the layer on the synthesizing machine (cross-platform pip/uv install)."""

    def __init__(self, architecture: str = ARCHITECTURE_NAME) -> None:
        self._architecture = architecture

    def try_bundle(self, output_dir: str, options: Any = None, **_: Any) -> bool:
        # jsii passes the BundlingOptions positionally; they are not needed here.
        compile_bytecode(build_layer(Path(output_dir), architecture=self._architecture))
        return True


def shared_layer(scope: Construct, construct_id: str) -> lambda_.LayerVersion:
    """`shared/` + runtime dependencies, attached to every function."""
    code = lambda_.Code.from_asset(
        str(SHARED_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=content_hash(ARCHITECTURE_NAME),
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds (CDK requires an image to be named).
            image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
            local=SharedLayerBundling(),
        ),
    )
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=code,
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="paid-media-dashboard: shared/ domain library + pinned runtime dependencies",
    )
