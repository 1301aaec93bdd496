// The worker's realm (its own isolate: it is not in the page's heap snapshot).
const quotes = [];
onmessage = e => {
  for (let i = 0; i < e.data.items; i++) quotes.push({ i, price: i * 1.5 });
  postMessage(quotes.length);
};
