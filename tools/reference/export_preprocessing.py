#!/usr/bin/python3
"""torchvision's ImageNet preprocessing on real photos, as references for Cardinal's image pipeline.

For each sample photo shipped by Debian's python3-skimage, PIL decodes it and converts it to RGB, then
torchvision applies Resize(256) (bilinear, antialiased), CenterCrop(224), ToTensor and Normalize with the
ImageNet mean/std. Writes OUT/<stem>.crop.npy (the 224x224x3 crop, values 0-255, float32),
OUT/<stem>.tensor.npy (the normalised 3x224x224 tensor) and OUT/manifest.json.
It also writes astronaut_cmyk.jpg (PIL's CMYK JPEG of astronaut.png, Adobe-style) with
astronaut_cmyk.rgb.npy, PIL's full-size RGB decode of it, to check CMYK JPEG conversion.
"""
import argparse
import json
import os
import shutil

import numpy as np
import skimage
from PIL import Image
from torchvision import transforms

PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "ihc.png", "camera.png",
          "logo.png", "palette_color.png", "rocket.jpg", "hubble_deep_field.jpg", "retina.jpg"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data = os.path.join(os.path.dirname(skimage.__file__), "data")
    os.makedirs(args.out, exist_ok=True)
    resize_crop = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    to_tensor = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    entries = []
    for name in PHOTOS:
        source = os.path.join(data, name)
        shutil.copyfile(source, os.path.join(args.out, name))
        image = Image.open(source).convert("RGB")
        crop = resize_crop(image)
        stem = os.path.splitext(name)[0]
        np.save(os.path.join(args.out, stem + ".crop.npy"), np.asarray(crop).astype(np.float32))
        np.save(os.path.join(args.out, stem + ".tensor.npy"), to_tensor(crop).numpy().astype(np.float32))
        entries.append({"file": name, "width": image.width, "height": image.height, "mode": Image.open(source).mode})
    cmyk = os.path.join(args.out, "astronaut_cmyk.jpg")
    Image.open(os.path.join(data, "astronaut.png")).convert("CMYK").save(cmyk, quality=95)
    np.save(os.path.join(args.out, "astronaut_cmyk.rgb.npy"), np.asarray(Image.open(cmyk).convert("RGB")).astype(np.float32))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"photos": entries}, f, indent=1)


if __name__ == "__main__":
    main()
