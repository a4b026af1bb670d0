# The ELBO and its two terms, in nats per example
vaekit train --data digits --epochs 30 --out runs/vae
# A tighter bound than the ELBO: the importance-weighted NLL
vaekit evaluate runs/vae --k 1000
# Likelihood choices: a Gaussian (the "MSE" VAE) and a Bernoulli on binarized pixels
vaekit train --data digits --set model.likelihood=gaussian --epochs 30 --out runs/gaussian
vaekit train --data digits --set model.likelihood=bernoulli --epochs 30 --out runs/bernoulli
# Generation, temperature, and a latent space you can see
vaekit sample runs/vae -n 64 --out samples.png
vaekit sample runs/vae -n 64 --temperature 0.7 --out samples_cool.png
vaekit latent-map runs/vae --out latent_map.png
vaekit train --data digits --set model.latent_dim=2 --epochs 30 --out runs/vae2d
vaekit manifold runs/vae2d --out manifold.png
# Interpolation: a straight line and the great circle
vaekit interpolate runs/vae --pairs 4 --out lerp.png
vaekit interpolate runs/vae --pairs 4 --slerp --out slerp.png
# beta-VAE: weigh the KL
vaekit train --data digits --set model.variant=beta_vae --epochs 30 --out runs/beta
vaekit traverse runs/beta --out beta_traversal.png
# Conditional VAE: q(z|x,y), p(x|z,y)
vaekit train --data digits --set model.variant=cvae --epochs 30 --out runs/cvae
vaekit sample runs/cvae --label 3 -n 16 --out threes.png
# VQ-VAE: discrete codes, then a prior fitted on them
vaekit train --data digits --set model.variant=vq_vae --epochs 30 --out runs/vq
vaekit train-prior runs/vq --epochs 30
vaekit sample runs/vq -n 64 --out vq_samples.png
# A hierarchy of latents
vaekit train --data digits --set model.variant=hvae --set objective.kl_warmup_steps=100 --epochs 30 --out runs/hvae
vaekit evaluate runs/hvae --k 1000
# Posterior collapse under a strong decoder, and its remedies
vaekit train --data digits --set model.likelihood=pixelcnn --epochs 30 --out runs/pixelcnn
vaekit train --data digits --set model.likelihood=pixelcnn --set objective.kl_warmup_steps=200 --epochs 30 --out runs/warmup
vaekit train --data digits --set model.likelihood=pixelcnn --set objective.free_bits=0.5 --epochs 30 --out runs/freebits
