// a stand-in for message-bus-js in this module's tests: ✓
