/**
 * The raw baseline of scenario 12: a child process (`child_process.fork`, `serialization: 'advanced'`) that
 * sends back every message it receives. No protocol, no validation: the floor of any call to a plugin process.
 */
process.on('message', (message) => process.send?.(message))
process.on('disconnect', () => process.exit(0))
