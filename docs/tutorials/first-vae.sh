vaekit quickstart                                         # train on the embedded 8x8 digits
vaekit sample runs/quickstart -n 64 --out samples.png     # 64 draws from the prior, decoded
vaekit interpolate runs/quickstart --pairs 4 --out interp.png
vaekit traverse runs/quickstart --out traversal.png       # one latent dimension at a time
vaekit evaluate runs/quickstart --k 1000                  # the honest numbers -> runs/quickstart/eval.json
