// Minimal declarations for peer libraries that ship no types.
declare module 'jstat' {
  const jStat: {
    mean(x: ArrayLike<number>): number;
    variance(x: ArrayLike<number>, sample?: boolean): number;
    stdev(x: ArrayLike<number>, sample?: boolean): number;
    corrcoeff(x: ArrayLike<number>, y: ArrayLike<number>): number;
    [name: string]: unknown;
  };
  export default jStat;
}
declare module 'ml-isolation-forest' {
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    train(trainingSet: number[][]): void;
    predict(data: number[][]): number[];
  }
}
