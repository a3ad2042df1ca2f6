// One PKCS#11 module per process, one token: a test that closes every session of the process or needs to be the module's
// only user must not run beside another. The whole project takes about a second.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
