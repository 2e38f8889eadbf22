{
  "targets": [
    {
      "target_name": "seer_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/gemm.cc", "src/elementwise.cc", "src/optim.cc", "src/pool.cc", "src/frames.cc", "src/noisy.cc", "src/c51.cc", "src/rainbow_loss.cc"],
      "include_dirs": ["/usr/include/oneapi/dnnl"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "libraries": ["<!@(bash ./libs.sh)"]
    }
  ]
}
