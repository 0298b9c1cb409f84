package dev.zerver.examples.hello; public final class HelloApp { public static void main(String[] a) {} }
