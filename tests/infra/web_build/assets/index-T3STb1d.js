console.log("test build");
